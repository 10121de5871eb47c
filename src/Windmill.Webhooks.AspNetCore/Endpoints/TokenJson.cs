using System.Text.Json.Serialization;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>Windmill's <c>TruncatedToken</c>: a token's prefix and metadata, never its secret.</summary>
internal sealed record TokenJson
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Label { get; init; }

    public required string TokenPrefix { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public DateTimeOffset? Expiration { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset LastUsedAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public IReadOnlyList<string>? Scopes { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? WorkspaceId { get; init; }

    public bool ReadOnly { get; init; }

    /// <summary>The owner; only in <c>list_tokens</c>, as in Windmill.</summary>
    public string? Email { get; init; }

    public static TokenJson From(ApiToken token, bool includeEmail = false) => new()
    {
        Label = token.Label,
        TokenPrefix = token.Prefix,
        Expiration = token.Expiration,
        CreatedAt = token.CreatedAt,
        LastUsedAt = token.LastUsedAt,
        Scopes = token.Scopes,
        WorkspaceId = token.WorkspaceId,
        ReadOnly = token.ReadOnly,
        Email = includeEmail ? token.Owner : null,
    };
}

/// <summary>Windmill's <c>NewToken</c>, and <c>super_admin</c>: the only way to ask for a superadmin token.</summary>
internal sealed record NewTokenJson(string? Label, DateTimeOffset? Expiration, List<string>? Scopes, string? WorkspaceId, bool? ReadOnly, bool? SuperAdmin);

/// <summary>The body of <c>update_scopes</c>.</summary>
internal sealed record UpdateScopesJson(List<string>? Scopes);

/// <summary>The body of <c>update_label</c>.</summary>
internal sealed record UpdateLabelJson(string? Label);
