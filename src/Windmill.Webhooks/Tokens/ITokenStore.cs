namespace Windmill.Webhooks.Tokens;

/// <summary>Stores API tokens by their hash; never sees a plaintext.</summary>
public interface ITokenStore
{
    /// <summary>Stores a new token. Throws <see cref="InvalidOperationException"/> if the hash or prefix exists.</summary>
    ValueTask CreateAsync(ApiToken token, CancellationToken cancellationToken);

    /// <summary>The token whose SHA-256 hex is <paramref name="tokenHash"/>, or <see langword="null"/>.</summary>
    ValueTask<ApiToken?> FindByHashAsync(string tokenHash, CancellationToken cancellationToken);

    /// <summary>The token with exactly this 10-character prefix, or <see langword="null"/>.</summary>
    ValueTask<ApiToken?> FindByPrefixAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>The tokens of <paramref name="owner"/>, or of everyone when it is <see langword="null"/>; newest first.</summary>
    IAsyncEnumerable<ApiToken> ListAsync(string? owner, CancellationToken cancellationToken);

    /// <summary>Replaces the label, scopes and read-only flag of the token with <see cref="ApiToken.TokenHash"/>; <see langword="false"/> if it is gone.</summary>
    ValueTask<bool> UpdateAsync(ApiToken token, CancellationToken cancellationToken);

    /// <summary>Deletes <paramref name="owner"/>'s token with exactly this prefix; returns how many were deleted.</summary>
    ValueTask<int> DeleteByPrefixAsync(string owner, string prefix, CancellationToken cancellationToken);

    /// <summary>Records a use of the token; an older time than the stored one changes nothing.</summary>
    ValueTask TouchAsync(string tokenHash, DateTimeOffset usedAt, CancellationToken cancellationToken);
}
