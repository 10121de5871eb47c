using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.Tokens;

/// <summary>
/// Mints, checks and manages API tokens under Windmill's rules. A token is 32 characters from
/// <c>[A-Za-z0-9]</c> drawn from a CSPRNG; only its SHA-256 and its first 10 characters are stored.
/// Checked tokens are cached briefly in memory, and their <c>last_used_at</c> is written in batches.
/// </summary>
public sealed partial class TokenService
{
    /// <summary>The length of a minted token.</summary>
    public const int TokenLength = 32;

    /// <summary>The length of the prefix that names a token in lists.</summary>
    public const int PrefixLength = 10;

    /// <summary>The longest string that is even looked up; anything longer is rejected unseen.</summary>
    public const int MaxPresentedLength = 512;

    /// <summary>The longest label accepted.</summary>
    public const int MaxLabelLength = 255;

    /// <summary>The longest username a token may be created for or looked up by.</summary>
    public const int MaxUsernameLength = 255;

    /// <summary>The user that <see cref="WindmillWebhooksOptions.AdminToken"/> authenticates.</summary>
    public const string AdminUser = "admin";

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const int MaxCachedTokens = 10_000;
    private static readonly string[] ReservedLabels = ["session", "ephemeral-script"];
    private static readonly string[] ReservedLabelPrefixes = ["webhook-", "http-", "email-", "ws-", "jwt_"];

    private readonly ITokenStore _store;
    private readonly IAuditSink _audit;
    private readonly TimeProvider _time;
    private readonly WindmillWebhooksOptions _options;
    private readonly ILogger<TokenService> _logger;
    private readonly byte[]? _adminTokenHash;
    private readonly IJobNotifier? _notifier;
    private readonly ConcurrentDictionary<string, CachedToken> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _pendingUse = new(StringComparer.Ordinal);

    /// <summary>Creates the service.</summary>
    public TokenService(ITokenStore store, IAuditSink audit, TimeProvider time, IOptions<WindmillWebhooksOptions> options, ILogger<TokenService> logger)
        : this(store, audit, time, options, logger, notifier: null)
    {
    }

    /// <summary>
    /// Creates the service; a token deleted or changed here is dropped from the caches of every process that shares
    /// <paramref name="notifier"/> (<see cref="JobNotificationKind.TokenRevoked"/>), and one dropped elsewhere from this one.
    /// </summary>
    public TokenService(ITokenStore store, IAuditSink audit, TimeProvider time, IOptions<WindmillWebhooksOptions> options, ILogger<TokenService> logger,
        IJobNotifier? notifier)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _audit = audit;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _adminTokenHash = string.IsNullOrEmpty(_options.AdminToken) ? null : HashBytes(_options.AdminToken);
        _notifier = notifier;

        // Lives as long as the application (both are singletons): the subscription is never disposed.
        notifier?.Subscribe(n =>
        {
            if (n is { Kind: JobNotificationKind.TokenRevoked, Key: { } hash })
            {
                Forget(hash);
            }
        });
    }

    /// <summary>
    /// Mints a token for <see cref="NewTokenRequest.Owner"/> without checking Windmill's rules (for the
    /// host's own code, such as bootstrapping an admin). Returns the plaintext: the only time it exists.
    /// </summary>
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
    /// Mints a token for <see cref="NewTokenRequest.Owner"/> as <c>POST /users/tokens/create</c> does, with exactly the rights
    /// asked for and never more than the caller's: another user's token only for an unscoped superadmin (see
    /// <see cref="ListAsync"/>); valid scopes only (legacy forms rewritten), no more than the caller's own scopes, its workspace
    /// and its read-only flag; <see cref="NewTokenRequest.SuperAdmin"/> only from an unscoped superadmin; no label in a
    /// reserved namespace; no expiration in the past. Audited as <c>users.token.create</c>.
    /// </summary>
    public async ValueTask<string> CreateForAsync(Caller caller, NewTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        CheckOwner(caller, request.Owner);
        if (request.SuperAdmin && !IsUnscopedSuperAdmin(caller))
        {
            throw new TokenRequestException(TokenRequestError.Forbidden, "only a superadmin with an unscoped token can create a superadmin token");
        }

        var normalized = NormalizeScopes(request.Scopes);
        if (!TokenScopes.IsSubset(normalized, caller.Scopes))
        {
            throw new TokenRequestException(TokenRequestError.Forbidden, "a scoped token may only create tokens with a subset of its own scopes");
        }

        if (caller.WorkspaceId is { } bound && request.WorkspaceId != bound)
        {
            throw new TokenRequestException(TokenRequestError.Forbidden, $"a token bound to workspace {bound} may only create tokens bound to it");
        }

        if (request.Expiration is { } expires && expires <= _time.GetUtcNow())
        {
            throw new TokenRequestException(TokenRequestError.Invalid, "expiration is in the past");
        }

        if (request.WorkspaceId is { Length: 0 or > 255 })
        {
            throw new TokenRequestException(TokenRequestError.Invalid, "workspace_id must be 1 to 255 characters");
        }

        CheckLabel(request.Label, request.Owner, request.WorkspaceId, normalized);
        var (token, stored) = await CreateAsync(request with { Scopes = normalized, ReadOnly = request.ReadOnly || caller.ReadOnly },
            cancellationToken).ConfigureAwait(false);
        await AuditAsync(caller, "users.token.create", AuditActionKind.Create, stored.Prefix, stored.Owner, stored.SuperAdmin).ConfigureAwait(false);
        return token;
    }

    /// <summary>
    /// The stored token that <paramref name="presented"/> is, if it exists and has not expired;
    /// otherwise <see langword="null"/>, whatever the reason.
    /// </summary>
    public async ValueTask<ApiToken?> ValidateAsync(string? presented, CancellationToken cancellationToken)
    {
        if (TryValidateFromMemory(presented, out var remembered))
        {
            return remembered;
        }

        var hex = Hash(presented!);
        var now = _time.GetUtcNow();
        return Checked(await LoadAsync(hex, now, cancellationToken).ConfigureAwait(false), hex, now);
    }

    /// <summary>
    /// Checks <paramref name="presented"/> without the store: <see langword="true"/> with the answer of
    /// <see cref="ValidateAsync"/> when memory has it (the admin token, a string too long to be a token, a token
    /// checked within <see cref="WindmillWebhooksOptions.TokenCacheDuration"/>); <see langword="false"/> when only
    /// the store can tell.
    /// </summary>
    public bool TryValidateFromMemory(string? presented, out ApiToken? token)
    {
        token = null;
        if (string.IsNullOrEmpty(presented) || presented.Length > MaxPresentedLength)
        {
            return true;
        }

        var hash = HashBytes(presented);
        var now = _time.GetUtcNow();
        if (_adminTokenHash is not null && CryptographicOperations.FixedTimeEquals(hash, _adminTokenHash))
        {
            token = new ApiToken
            {
                TokenHash = Convert.ToHexStringLower(hash),
                Prefix = "",
                Owner = AdminUser,
                CreatedAt = DateTimeOffset.UnixEpoch,
                LastUsedAt = now,
                SuperAdmin = true,
            };
            return true;
        }

        var hex = Convert.ToHexStringLower(hash);
        if (!_cache.TryGetValue(hex, out var cached) || now - cached.LoadedAt >= _options.TokenCacheDuration)
        {
            return false;
        }

        token = Checked(cached.Token, hex, now);
        return true;
    }

    /// <summary>
    /// The tokens of <paramref name="owner"/>, newest first, with their latest use. As on every token operation, a caller acts
    /// on their own tokens; only a superadmin acts on another user's, and never through a scoped token.
    /// </summary>
    public async IAsyncEnumerable<ApiToken> ListAsync(Caller caller, string owner, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        CheckOwner(caller, owner);
        await foreach (var token in _store.ListAsync(owner, cancellationToken).ConfigureAwait(false))
        {
            yield return WithPendingUse(token);
        }
    }

    /// <summary>
    /// The tokens that may run the runnable behind <paramref name="runScope"/> (e.g. <c>jobs:run:scripts:u/a/b</c>)
    /// in <paramref name="workspace"/>: the caller's own, or everyone's for an admin.
    /// </summary>
    public async IAsyncEnumerable<ApiToken> ListForRunnableAsync(Caller caller, string workspace, string runScope,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await foreach (var token in _store.ListAsync(caller.IsAdmin ? null : caller.Username, cancellationToken).ConfigureAwait(false))
        {
            if ((token.WorkspaceId is null || token.WorkspaceId == workspace) && token.Scopes is { } scopes
                && scopes.Any(s => TokenScopes.TryNormalize(s, out var normalized) && normalized == runScope))
            {
                yield return WithPendingUse(token);
            }
        }
    }

    /// <summary>Deletes <paramref name="owner"/>'s token with this prefix; it stops working at once. Returns the deleted prefixes.</summary>
    public async ValueTask<IReadOnlyList<string>> DeleteAsync(Caller caller, string owner, string prefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        CheckOwner(caller, owner);
        var token = await _store.FindByPrefixAsync(prefix, cancellationToken).ConfigureAwait(false);
        var deleted = await _store.DeleteByPrefixAsync(owner, prefix, cancellationToken).ConfigureAwait(false);
        if (token is not null)
        {
            await RevokeAsync(token.TokenHash).ConfigureAwait(false);
        }

        if (deleted == 0)
        {
            return [];
        }

        await AuditAsync(caller, "users.token.delete", AuditActionKind.Delete, prefix, owner).ConfigureAwait(false);
        return [prefix];
    }

    /// <summary>Replaces a token's scopes (<see langword="null"/> for full rights), under the same rules as creation.</summary>
    public async ValueTask UpdateScopesAsync(Caller caller, string owner, string prefix, IReadOnlyList<string>? scopes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        CheckOwner(caller, owner);
        var normalized = NormalizeScopes(scopes);
        if (!TokenScopes.IsSubset(normalized, caller.Scopes))
        {
            throw new TokenRequestException(TokenRequestError.Forbidden, "a scoped token may only grant a subset of its own scopes");
        }

        await UpdateAsync(caller, owner, prefix, token =>
        {
            CheckLabel(token.Label, token.Owner, token.WorkspaceId, normalized);
            return token with { Scopes = normalized };
        }, "users.token.update_scopes", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces a token's label, under the same rules as creation.</summary>
    public async ValueTask UpdateLabelAsync(Caller caller, string owner, string prefix, string? label, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        CheckOwner(caller, owner);
        await UpdateAsync(caller, owner, prefix, token =>
        {
            CheckLabel(label, token.Owner, token.WorkspaceId, token.Scopes);
            return token with { Label = label };
        }, "users.token.update_label", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the coalesced <c>last_used_at</c> values; the stores batch them into few commits.</summary>
    public async Task FlushUsageAsync(CancellationToken cancellationToken)
    {
        var uses = _pendingUse.ToArray();
        foreach (var (hash, usedAt) in uses)
        {
            _pendingUse.TryRemove(new KeyValuePair<string, DateTimeOffset>(hash, usedAt));
        }

        await Task.WhenAll(uses.Select(use => _store.TouchAsync(use.Key, use.Value, cancellationToken).AsTask())).ConfigureAwait(false);
        if (uses.Length > 0)
        {
            Log.UsageFlushed(_logger, uses.Length);
        }
    }

    /// <summary>The lowercase hex SHA-256 under which a token is stored.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(HashBytes(token));

    private async ValueTask UpdateAsync(Caller caller, string owner, string prefix, Func<ApiToken, ApiToken> change, string operation,
        CancellationToken cancellationToken)
    {
        var token = await _store.FindByPrefixAsync(prefix, cancellationToken).ConfigureAwait(false);
        if (token is null || token.Owner != owner || !await _store.UpdateAsync(change(token), cancellationToken).ConfigureAwait(false))
        {
            throw new TokenRequestException(TokenRequestError.NotFound, $"token with prefix {prefix} not found");
        }

        await RevokeAsync(token.TokenHash).ConfigureAwait(false);
        await AuditAsync(caller, operation, AuditActionKind.Update, prefix, owner).ConfigureAwait(false);
    }

    private ApiToken? Checked(ApiToken? token, string hex, DateTimeOffset now)
    {
        if (token is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(token.TokenHash), Encoding.ASCII.GetBytes(hex))
            || token.IsExpired(now))
        {
            return null;
        }

        // Coalesced: written by FlushUsageAsync, not on every request.
        _pendingUse[hex] = now;
        return token;
    }

    private async ValueTask<ApiToken?> LoadAsync(string hash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var token = await _store.FindByHashAsync(hash, cancellationToken).ConfigureAwait(false);
        if (token is not null)
        {
            if (_cache.Count >= MaxCachedTokens)
            {
                _cache.Clear();
            }

            _cache[hash] = new CachedToken(token, now);
        }

        return token;
    }

    // Drops the token here and tells the other processes; a lost notice is bounded by TokenCacheDuration.
    private async ValueTask RevokeAsync(string tokenHash)
    {
        Forget(tokenHash);
        if (_notifier is null)
        {
            return;
        }

        try
        {
            await _notifier.PublishAsync(new JobNotification(JobNotificationKind.TokenRevoked, Guid.Empty) { Key = tokenHash }, CancellationToken.None)
                .ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A notice is a hint: the token is deleted in the store either way.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private void Forget(string tokenHash)
    {
        _cache.TryRemove(tokenHash, out _);
        _pendingUse.TryRemove(tokenHash, out _);
    }

    private ApiToken WithPendingUse(ApiToken token) =>
        _pendingUse.TryGetValue(token.TokenHash, out var usedAt) && usedAt > token.LastUsedAt ? token with { LastUsedAt = usedAt } : token;

    private static void CheckOwner(Caller caller, string owner)
    {
        if (owner.Length is 0 or > MaxUsernameLength)
        {
            throw new TokenRequestException(TokenRequestError.Invalid, $"username must be 1 to {MaxUsernameLength} characters");
        }

        if (owner == caller.Username)
        {
            return;
        }

        if (!caller.IsSuperAdmin)
        {
            throw new TokenRequestException(TokenRequestError.Forbidden, "only a superadmin can manage another user's tokens");
        }

        // A scoped token was handed out for a narrower purpose than its owner's rights, so it never reaches other users.
        if (!IsUnscopedSuperAdmin(caller))
        {
            throw new TokenRequestException(TokenRequestError.Forbidden, "a scoped token cannot manage another user's tokens");
        }
    }

    private static bool IsUnscopedSuperAdmin(Caller caller) => caller.IsSuperAdmin && TokenScopes.IsUnscoped(caller.Scopes);

    private static List<string>? NormalizeScopes(IReadOnlyList<string>? scopes)
    {
        if (scopes is null)
        {
            return null;
        }

        var normalized = new List<string>(scopes.Count);
        foreach (var scope in scopes)
        {
            if (!TokenScopes.TryNormalize(scope, out var valid))
            {
                var shown = scope is { Length: > 100 } ? scope[..100] + "…" : scope;
                throw new TokenRequestException(TokenRequestError.Invalid, $"invalid scope: {shown}");
            }

            normalized.Add(valid);
        }

        return normalized;
    }

    // Labels name identities (see Caller.CreatedBy), so the system namespaces are closed, except for the exact shape of a
    // webhook-specific token: "webhook-<owner>-<4 chars>", one workspace, and one scope naming one script or flow.
    private static void CheckLabel(string? label, string owner, string? workspaceId, IReadOnlyList<string>? scopes)
    {
        if (label is null)
        {
            return;
        }

        if (label.Length > MaxLabelLength)
        {
            throw new TokenRequestException(TokenRequestError.Invalid, $"label is longer than {MaxLabelLength} characters");
        }

        if (WebhookLabel().Match(label) is { Success: true } match && match.Groups["owner"].Value == owner)
        {
            if (workspaceId is null || scopes is not [var only] || !TokenScopes.NamesOneRunnable(only))
            {
                throw new TokenRequestException(TokenRequestError.Invalid,
                    "a webhook-specific token (label webhook-<owner>-<4 chars>) needs a workspace_id and exactly one scope naming one script or flow: jobs:run:scripts:<path> or jobs:run:flows:<path>, with no wildcard and no list");
            }

            return;
        }

        if (ReservedLabels.Contains(label, StringComparer.Ordinal) || ReservedLabelPrefixes.Any(p => label.StartsWith(p, StringComparison.Ordinal)))
        {
            throw new TokenRequestException(TokenRequestError.Invalid,
                "label is in a reserved namespace (session, ephemeral-script, http-, email-, ws-, jwt_, or webhook- other than webhook-<owner>-<4 chars>)");
        }
    }

    // Names who acted (the entry's username) and, when it is someone else, whose token it was; never the token itself.
    private ValueTask AuditAsync(Caller caller, string operation, AuditActionKind kind, string prefix, string owner, bool superAdmin = false)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (owner != caller.Username)
        {
            parameters["owner"] = owner;
        }

        if (superAdmin)
        {
            parameters["super_admin"] = "true";
        }

        return _audit.WriteAsync(new AuditEntry
        {
            WorkspaceId = "global",
            Timestamp = _time.GetUtcNow(),
            Username = caller.Username,
            Operation = operation,
            ActionKind = kind,
            Resource = prefix,
            Parameters = parameters.Count == 0 ? null : parameters,
        }, CancellationToken.None);
    }

    private static byte[] HashBytes(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    [GeneratedRegex("^webhook-(?<owner>.+)-[A-Za-z0-9]{4}$")]
    private static partial Regex WebhookLabel();

    private sealed record CachedToken(ApiToken Token, DateTimeOffset LoadedAt);
}
