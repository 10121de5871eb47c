using System.Collections.Concurrent;

namespace Windmill.Webhooks.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> semantics after Stripe and the IETF draft: for 24 hours, the same key with the
/// same request runs one job and gets the same answer; the same key with another request is refused;
/// a retry while the first request is still in progress is told to wait.
/// </summary>
internal sealed class IdempotencyKeys
{
    private readonly IIdempotencyStore _store;
    private readonly TimeProvider _time;

    // The requests in progress in this process, by key, with their fingerprints.
    private readonly ConcurrentDictionary<(string Workspace, string Owner, string Key), string> _inProgress = new();

    public IdempotencyKeys(IIdempotencyStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    /// <summary>How long a key is remembered.</summary>
    public static TimeSpan Lifetime { get; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Claims <paramref name="key"/> for a request with <paramref name="fingerprint"/> that would run job
    /// <paramref name="proposedJobId"/>. A held claim must be disposed when the request ends.
    /// </summary>
    public async ValueTask<IdempotencyClaim> ClaimAsync(string workspace, string owner, string key, string fingerprint, Guid proposedJobId,
        CancellationToken cancellationToken)
    {
        var id = (workspace, owner, key);
        if (!_inProgress.TryAdd(id, fingerprint))
        {
            return _inProgress.TryGetValue(id, out var other) && other != fingerprint
                ? IdempotencyClaim.Mismatch
                : IdempotencyClaim.InProgress;
        }

        try
        {
            var now = _time.GetUtcNow();
            var (held, inserted) = await _store.ClaimAsync(new IdempotencyRecord(workspace, owner, key, fingerprint, proposedJobId, now), now - Lifetime,
                cancellationToken).ConfigureAwait(false);
            if (held.Fingerprint != fingerprint)
            {
                _inProgress.TryRemove(id, out _);
                return IdempotencyClaim.Mismatch;
            }

            return new IdempotencyClaim(IdempotencyOutcome.Held, held, inserted, this);
        }
        catch
        {
            _inProgress.TryRemove(id, out _);
            throw;
        }
    }

    /// <summary>Forgets a key whose request did not start a job, so that a retry may run it.</summary>
    public ValueTask ReleaseAsync(IdempotencyRecord record, CancellationToken cancellationToken) => _store.ReleaseAsync(record, cancellationToken);

    internal void EndRequest(IdempotencyRecord record) => _inProgress.TryRemove((record.Workspace, record.Owner, record.Key), out _);
}

/// <summary>What claiming an idempotency key gave.</summary>
internal enum IdempotencyOutcome
{
    /// <summary>This request holds the key; see <see cref="IdempotencyClaim.IsFirst"/>.</summary>
    Held,

    /// <summary>A request with the same key and the same fingerprint is still in progress.</summary>
    InProgress,

    /// <summary>The key was used with another request.</summary>
    Mismatch,
}

/// <summary>A claimed idempotency key; disposing it ends the request's hold on the key.</summary>
internal sealed class IdempotencyClaim : IDisposable
{
    private readonly IdempotencyKeys? _keys;

    internal IdempotencyClaim(IdempotencyOutcome outcome, IdempotencyRecord? record, bool isFirst, IdempotencyKeys? keys)
    {
        Outcome = outcome;
        Record = record;
        IsFirst = isFirst;
        _keys = keys;
    }

    public static IdempotencyClaim InProgress { get; } = new(IdempotencyOutcome.InProgress, null, false, null);

    public static IdempotencyClaim Mismatch { get; } = new(IdempotencyOutcome.Mismatch, null, false, null);

    public IdempotencyOutcome Outcome { get; }

    /// <summary>The key's record, when held.</summary>
    public IdempotencyRecord? Record { get; }

    /// <summary>Whether this is the key's first request (otherwise a retry within the key's lifetime).</summary>
    public bool IsFirst { get; }

    public void Dispose()
    {
        if (Record is not null)
        {
            _keys?.EndRequest(Record);
        }
    }
}
