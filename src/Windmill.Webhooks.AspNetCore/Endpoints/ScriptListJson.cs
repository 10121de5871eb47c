using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>An item of Windmill's <c>scripts/list</c>: the <c>Script</c> JSON without its content and schema.</summary>
internal sealed record ListableScriptJson
{
    public required string WorkspaceId { get; init; }
    public required string Hash { get; init; }
    public required string Path { get; init; }
    public required string Summary { get; init; }
    public required string CreatedBy { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required bool Archived { get; init; }
    public IReadOnlyDictionary<string, bool> ExtraPerms { get; init; } = new Dictionary<string, bool>();
    public required string Language { get; init; }
    public string Kind { get; init; } = "script";
    public bool Starred { get; init; }
    public bool HasDraft { get; init; }
    public bool DraftOnly { get; init; }

    public static ListableScriptJson From(ScriptVersion script) => new()
    {
        WorkspaceId = script.Workspace,
        Hash = script.Hash.ToString(),
        Path = script.Path,
        Summary = script.Summary,
        CreatedBy = script.CreatedBy,
        CreatedAt = script.CreatedAt,
        Archived = script.Archived,
        Language = script.Language,
    };
}

/// <summary>An item of Windmill's <c>scripts/history/p/{path}</c>, newest first.</summary>
internal sealed record ScriptHistoryJson(string ScriptHash, string? DeploymentMsg, DateTimeOffset CreatedAt, string CreatedBy);
