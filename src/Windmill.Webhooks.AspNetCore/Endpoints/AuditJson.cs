using System.Text.Json.Serialization;
using Windmill.Webhooks.Audit;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>Windmill's <c>AuditLog</c> JSON.</summary>
internal sealed record AuditJson
{
    public required string WorkspaceId { get; init; }

    public required long Id { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public required string Username { get; init; }

    public required string Operation { get; init; }

    public required string ActionKind { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Resource { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    public static AuditJson From(AuditEntry entry) => new()
    {
        WorkspaceId = entry.WorkspaceId,
        Id = entry.Id,
        Timestamp = entry.Timestamp,
        Username = entry.Username,
        Operation = entry.Operation,
        ActionKind = entry.ActionKind.ToString(),
        Resource = entry.Resource,
        Parameters = entry.Parameters,
    };
}
