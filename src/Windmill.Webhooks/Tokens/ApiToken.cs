namespace Windmill.Webhooks.Tokens;

/// <summary>
/// A stored API token. Only the SHA-256 of the secret is kept; the plaintext exists once,
/// in the answer to its creation.
/// </summary>
public sealed record ApiToken
{
    /// <summary>Lowercase hex SHA-256 of the token's plaintext.</summary>
    public required string TokenHash { get; init; }

    /// <summary>The first 10 characters of the plaintext, to name the token in lists.</summary>
    public required string Prefix { get; init; }

    /// <summary>The user the token acts as.</summary>
    public required string Owner { get; init; }

    /// <summary>A label chosen by its creator.</summary>
    public string? Label { get; init; }

    /// <summary>The only workspace the token works in, or <see langword="null"/> for all.</summary>
    public string? WorkspaceId { get; init; }

    /// <summary>Scopes; <see langword="null"/> or empty means the owner's full rights.</summary>
    public IReadOnlyList<string>? Scopes { get; init; }

    /// <summary>When the token stops working, if ever.</summary>
    public DateTimeOffset? Expiration { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was last used.</summary>
    public required DateTimeOffset LastUsedAt { get; init; }

    /// <summary>Whether the owner is a superadmin through this token.</summary>
    public bool SuperAdmin { get; init; }

    /// <summary>Whether the token may only read.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Whether the token is past its expiration at <paramref name="now"/>.</summary>
    public bool IsExpired(DateTimeOffset now) => Expiration is { } expiration && expiration <= now;
}
