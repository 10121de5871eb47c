using System.Text.Json;
using Windmill.Webhooks.Flows;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>Windmill's <c>Flow</c> JSON: the newest version of a flow with the flow's metadata; <c>flows/list</c> items have the same shape.</summary>
internal sealed record FlowJson
{
    public required string WorkspaceId { get; init; }
    public required string Path { get; init; }
    public required string Summary { get; init; }
    public required string Description { get; init; }
    public required JsonElement Value { get; init; }
    public JsonElement? Schema { get; init; }
    public required string EditedBy { get; init; }
    public required DateTimeOffset EditedAt { get; init; }
    public required bool Archived { get; init; }
    public IReadOnlyDictionary<string, bool> ExtraPerms { get; init; } = new Dictionary<string, bool>();
    public bool Starred { get; init; }
    public long? VersionId { get; init; }

    public static FlowJson From(FlowVersion flow) => new()
    {
        WorkspaceId = flow.Workspace,
        Path = flow.Path,
        Summary = flow.Summary,
        Description = flow.Description,
        Value = flow.Value,
        Schema = flow.Schema,
        EditedBy = flow.CreatedBy,
        EditedAt = flow.CreatedAt,
        Archived = flow.Archived,
        VersionId = flow.Id,
    };
}
