namespace Windmill.Webhooks.Tokens;

/// <summary>What a new token should carry.</summary>
public sealed record NewTokenRequest
{
    /// <summary>The user the token acts as.</summary>
    public required string Owner { get; init; }

    /// <summary>A label.</summary>
    public string? Label { get; init; }

    /// <summary>The only workspace it works in, or <see langword="null"/>.</summary>
    public string? WorkspaceId { get; init; }

    /// <summary>Scopes, or <see langword="null"/> for the owner's full rights.</summary>
    public IReadOnlyList<string>? Scopes { get; init; }

    /// <summary>When it stops working.</summary>
    public DateTimeOffset? Expiration { get; init; }

    /// <summary>Whether it carries superadmin rights; only ever set on purpose (over HTTP, the explicit <c>super_admin</c> field).</summary>
    public bool SuperAdmin { get; init; }

    /// <summary>Whether it may only read.</summary>
    public bool ReadOnly { get; init; }
}
