using System.Collections.Concurrent;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> semantics after Stripe and the IETF draft: for 24 hours, the same key with the
/// same request runs one job and gets that job's answer; the same key with another request is refused;
/// a retry that arrives while the first request is still starting its job is told to wait. Keys belong to
/// an owner: what authenticated the request, which the caller names. Authorizing the request is the caller's
/// business, before it claims a key: a replay must pass the same checks as a first run.
/// </summary>
internal sealed class IdempotencyKeys
{
    private readonly IIdempotencyStore _store;
    private readonly IJobRunner _jobs;
    private readonly TimeProvider _time;

    // The keys whose request is starting its job in this process: held from the claim until the job is committed
    // (or the request gives up), never longer, so that a key is never busy once its job exists.
    // Each hold is its own object, so that a request only ever ends its own hold.
    private readonly ConcurrentDictionary<(string Workspace, string Owner, string Key), object> _starting = new();

    public IdempotencyKeys(IIdempotencyStore store, IJobRunner jobs, TimeProvider time)
    {
        _store = store;
        _jobs = jobs;
        _time = time;
    }

    /// <summary>How long a key is remembered.</summary>
    public static TimeSpan Lifetime { get; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Claims <paramref name="key"/> of <paramref name="owner"/> for a request with <paramref name="fingerprint"/> that would run
    /// job <paramref name="proposedJobId"/>: a replay of the key's job once it exists, or the right to start it. A claim that
    /// starts a job must be disposed (or told <see cref="IdempotencyClaim.JobCommitted"/>) as soon as the job exists.
    /// </summary>
    public async ValueTask<IdempotencyClaim> ClaimAsync(string workspace, string owner, string key, string fingerprint, Guid proposedJobId,
        CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var (held, inserted) = await _store.ClaimAsync(new IdempotencyRecord(workspace, owner, key, fingerprint, proposedJobId, now), now - Lifetime,
            cancellationToken).ConfigureAwait(false);
        if (held.Fingerprint != fingerprint)
        {
            return IdempotencyClaim.Mismatch;
        }

        var id = (workspace, owner, key);
        var hold = new object();
        if (inserted)
        {
            if (_starting.TryAdd(id, hold))
            {
                return new IdempotencyClaim(held, isFirst: true, this, hold);
            }

            // A request that gave up has not yet let go of the key: leave the key as it was, and let the caller retry.
            await _store.ReleaseAsync(held, CancellationToken.None).ConfigureAwait(false);
            return IdempotencyClaim.InProgress;
        }

        if (await _jobs.GetAsync(workspace, held.JobId, cancellationToken).ConfigureAwait(false) is { } earlier)
        {
            return IdempotencyClaim.Replay(earlier);
        }

        if (!_starting.TryAdd(id, hold))
        {
            return IdempotencyClaim.InProgress;
        }

        try
        {
            // The request that held the key may have committed its job between the two looks.
            if (await _jobs.GetAsync(workspace, held.JobId, cancellationToken).ConfigureAwait(false) is { } committed)
            {
                EndStart(held, hold);
                return IdempotencyClaim.Replay(committed);
            }

            return new IdempotencyClaim(held, isFirst: false, this, hold); // its request stopped (or the process died) before the job existed
        }
        catch
        {
            EndStart(held, hold);
            throw;
        }
    }

    /// <summary>Forgets a key whose request did not start a job, so that a retry may run it.</summary>
    public ValueTask ReleaseAsync(IdempotencyRecord record, CancellationToken cancellationToken) => _store.ReleaseAsync(record, cancellationToken);

    internal void EndStart(IdempotencyRecord record, object hold) =>
        _starting.TryRemove(new KeyValuePair<(string, string, string), object>((record.Workspace, record.Owner, record.Key), hold));
}

/// <summary>What claiming an idempotency key gave.</summary>
internal enum IdempotencyOutcome
{
    /// <summary>This request starts the key's job; see <see cref="IdempotencyClaim.IsFirst"/>.</summary>
    Start,

    /// <summary>The key's job exists: answer with it (<see cref="IdempotencyClaim.Job"/>).</summary>
    Replay,

    /// <summary>A request with the same key and the same fingerprint is still starting its job.</summary>
    InProgress,

    /// <summary>The key was used with another request.</summary>
    Mismatch,
}

/// <summary>A claimed idempotency key; disposing it ends the request's hold on the key.</summary>
internal sealed class IdempotencyClaim : IDisposable
{
    private readonly IdempotencyKeys? _keys;
    private readonly object? _hold;

    internal IdempotencyClaim(IdempotencyRecord record, bool isFirst, IdempotencyKeys keys, object hold)
        : this(IdempotencyOutcome.Start, record, null, isFirst)
    {
        _keys = keys;
        _hold = hold;
    }

    private IdempotencyClaim(IdempotencyOutcome outcome, IdempotencyRecord? record, Job? job, bool isFirst)
    {
        Outcome = outcome;
        Record = record;
        Job = job;
        IsFirst = isFirst;
    }

    public static IdempotencyClaim InProgress { get; } = new(IdempotencyOutcome.InProgress, null, null, false);

    public static IdempotencyClaim Mismatch { get; } = new(IdempotencyOutcome.Mismatch, null, null, false);

    public IdempotencyOutcome Outcome { get; }

    /// <summary>The key's record, when this request starts its job.</summary>
    public IdempotencyRecord? Record { get; }

    /// <summary>The key's job, on a replay.</summary>
    public Job? Job { get; }

    /// <summary>Whether this is the key's first request (otherwise it takes over from one that stopped before its job existed).</summary>
    public bool IsFirst { get; }

    public static IdempotencyClaim Replay(Job job) => new(IdempotencyOutcome.Replay, null, job, false);

    /// <summary>The key's job is committed: from now on, retries replay it.</summary>
    public void JobCommitted() => Dispose();

    public void Dispose()
    {
        if (Record is not null && _hold is not null)
        {
            _keys?.EndStart(Record, _hold);
        }
    }
}
