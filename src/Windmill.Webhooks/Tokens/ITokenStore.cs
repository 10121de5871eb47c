namespace Windmill.Webhooks.Tokens;

/// <summary>Stores API tokens by their hash; never sees a plaintext.</summary>
public interface ITokenStore
{
    /// <summary>Stores a new token. Throws <see cref="InvalidOperationException"/> if the hash or prefix exists.</summary>
    ValueTask CreateAsync(ApiToken token, CancellationToken cancellationToken);

    /// <summary>The token whose SHA-256 hex is <paramref name="tokenHash"/>, or <see langword="null"/>.</summary>
    ValueTask<ApiToken?> FindByHashAsync(string tokenHash, CancellationToken cancellationToken);

    /// <summary>The tokens of <paramref name="owner"/>, newest first.</summary>
    IAsyncEnumerable<ApiToken> ListByOwnerAsync(string owner, CancellationToken cancellationToken);

    /// <summary>Deletes <paramref name="owner"/>'s token with exactly this prefix; returns how many were deleted.</summary>
    ValueTask<int> DeleteByPrefixAsync(string owner, string prefix, CancellationToken cancellationToken);

    /// <summary>Records a use of the token.</summary>
    ValueTask TouchAsync(string tokenHash, DateTimeOffset usedAt, CancellationToken cancellationToken);
}
