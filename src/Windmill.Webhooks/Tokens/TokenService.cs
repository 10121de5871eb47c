using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Windmill.Webhooks.Tokens;

/// <summary>
/// Mints and checks API tokens. A token is 32 characters from <c>[A-Za-z0-9]</c> drawn from a CSPRNG;
/// only its SHA-256 and its first 10 characters are stored.
/// </summary>
public sealed class TokenService
{
    /// <summary>The length of a minted token.</summary>
    public const int TokenLength = 32;

    /// <summary>The length of the prefix that names a token in lists.</summary>
    public const int PrefixLength = 10;

    /// <summary>The longest string that is even looked up; anything longer is rejected unseen.</summary>
    public const int MaxPresentedLength = 512;

    /// <summary>The user that <see cref="WindmillWebhooksOptions.AdminToken"/> authenticates.</summary>
    public const string AdminUser = "admin";

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private readonly ITokenStore _store;
    private readonly TimeProvider _time;
    private readonly byte[]? _adminTokenHash;

    /// <summary>Creates the service.</summary>
    public TokenService(ITokenStore store, TimeProvider time, IOptions<WindmillWebhooksOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _time = time;
        _adminTokenHash = string.IsNullOrEmpty(options.Value.AdminToken) ? null : HashBytes(options.Value.AdminToken);
    }

    /// <summary>Mints a token, stores its hash, and returns the plaintext: the only time it exists.</summary>
    public async ValueTask<(string Token, ApiToken Stored)> CreateAsync(NewTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var token = RandomNumberGenerator.GetString(Alphabet, TokenLength);
        var now = _time.GetUtcNow();
        var stored = new ApiToken
        {
            TokenHash = Hash(token),
            Prefix = token[..PrefixLength],
            Owner = request.Owner,
            Label = request.Label,
            WorkspaceId = request.WorkspaceId,
            Scopes = request.Scopes,
            Expiration = request.Expiration,
            CreatedAt = now,
            LastUsedAt = now,
            SuperAdmin = request.SuperAdmin,
            ReadOnly = request.ReadOnly,
        };
        await _store.CreateAsync(stored, cancellationToken).ConfigureAwait(false);
        return (token, stored);
    }

    /// <summary>
    /// The stored token that <paramref name="presented"/> is, if it exists and has not expired;
    /// otherwise <see langword="null"/>, whatever the reason.
    /// </summary>
    public async ValueTask<ApiToken?> ValidateAsync(string? presented, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > MaxPresentedLength)
        {
            return null;
        }

        var hash = HashBytes(presented);
        if (_adminTokenHash is not null && CryptographicOperations.FixedTimeEquals(hash, _adminTokenHash))
        {
            return new ApiToken
            {
                TokenHash = Convert.ToHexStringLower(hash),
                Prefix = "",
                Owner = AdminUser,
                Label = "admin-token",
                CreatedAt = DateTimeOffset.UnixEpoch,
                LastUsedAt = _time.GetUtcNow(),
                SuperAdmin = true,
            };
        }

        var hex = Convert.ToHexStringLower(hash);
        var token = await _store.FindByHashAsync(hex, cancellationToken).ConfigureAwait(false);
        if (token is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(token.TokenHash), Encoding.ASCII.GetBytes(hex))
            || token.IsExpired(_time.GetUtcNow()))
        {
            return null;
        }

        return token;
    }

    /// <summary>The lowercase hex SHA-256 under which a token is stored.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(HashBytes(token));

    private static byte[] HashBytes(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
