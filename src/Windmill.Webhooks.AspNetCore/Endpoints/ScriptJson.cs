using System.Text.Json;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>Windmill's <c>Script</c> JSON.</summary>
internal sealed record ScriptJson
{
    public required string WorkspaceId { get; init; }
    public required string Hash { get; init; }
    public required string Path { get; init; }
    public required IReadOnlyList<string> ParentHashes { get; init; }
    public required string Summary { get; init; }
    public required string Description { get; init; }
    public required string Content { get; init; }
    public required string CreatedBy { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required bool Archived { get; init; }
    public JsonElement? Schema { get; init; }
    public bool Deleted { get; init; }
    public bool IsTemplate { get; init; }
    public IReadOnlyDictionary<string, bool> ExtraPerms { get; init; } = new Dictionary<string, bool>();
    public required string Language { get; init; }
    public string Kind { get; init; } = "script";
    public bool Starred { get; init; }
    public bool HasPreprocessor { get; init; }

    public static ScriptJson From(ScriptVersion script, IReadOnlyList<string> parentHashes) => new()
    {
        WorkspaceId = script.Workspace,
        Hash = script.Hash.ToString(),
        Path = script.Path,
        ParentHashes = parentHashes,
        Summary = script.Summary,
        Description = script.Description,
        Content = script.Content,
        CreatedBy = script.CreatedBy,
        CreatedAt = script.CreatedAt,
        Archived = script.Archived,
        Schema = script.Schema,
        Language = script.Language,
    };
}
