using System.Text.Json;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.Specification.Tests;

/// <summary>
/// A runner's view of a shared store that can go dead, as when its process is killed or cut off: after
/// <see cref="Stall"/>, every call hangs, so the runner renews nothing and writes nothing more. Disposing ends
/// the hung calls with an error.
/// </summary>
internal sealed class StallableJobStore(IJobStore inner) : IJobStore, IDisposable
{
    private readonly TaskCompletionSource _dead = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stalled;

    public void Stall() => _stalled = true;

    public void Dispose() => _dead.TrySetException(new ObjectDisposedException(nameof(StallableJobStore), "The stalled runner's store is gone."));

    public bool CommitsWith(IAuditSink audit) => inner.CommitsWith(audit);

    public async ValueTask EnqueueAsync(Job job, JobLease? lease, AuditEntry? audit, CancellationToken cancellationToken)
    {
        await Gate();
        await inner.EnqueueAsync(job, lease, audit, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<Job>> ClaimAsync(JobLease lease, int max, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await Gate();
        return await inner.ClaimAsync(lease, max, now, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<Guid>> RenewAsync(JobLease lease, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        await Gate();
        return await inner.RenewAsync(lease, ids, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<bool>> CompleteAsync(string owner, IReadOnlyList<JobCompletion> completions, CancellationToken cancellationToken)
    {
        await Gate();
        return await inner.CompleteAsync(owner, completions, cancellationToken);
    }

    public async ValueTask<bool> SuspendAsync(string owner, Guid id, JsonElement? flowStatus, IReadOnlyList<Job> children, CancellationToken cancellationToken)
    {
        await Gate();
        return await inner.SuspendAsync(owner, id, flowStatus, children, cancellationToken);
    }

    public async ValueTask ReleaseAsync(string owner, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        await Gate();
        await inner.ReleaseAsync(owner, ids, cancellationToken);
    }

    public async ValueTask<ReclaimedJobs> ReclaimExpiredAsync(DateTimeOffset now, int maxRestarts, JsonElement restartLimitError,
        CancellationToken cancellationToken)
    {
        await Gate();
        return await inner.ReclaimExpiredAsync(now, maxRestarts, restartLimitError, cancellationToken);
    }

    public async ValueTask<Job?> CancelAsync(JobCompletion cancellation, AuditEntry? audit, CancellationToken cancellationToken)
    {
        await Gate();
        return await inner.CancelAsync(cancellation, audit, cancellationToken);
    }

    public async ValueTask<DateTimeOffset?> NextScheduledAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await Gate();
        return await inner.NextScheduledAsync(now, cancellationToken);
    }

    public async ValueTask<Job?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await Gate();
        return await inner.GetAsync(id, cancellationToken);
    }

    public async IAsyncEnumerable<Job> ListAsync(JobQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Gate();
        await foreach (var job in inner.ListAsync(query, cancellationToken))
        {
            yield return job;
        }
    }

    public async ValueTask<long> CountAsync(JobQuery query, CancellationToken cancellationToken)
    {
        await Gate();
        return await inner.CountAsync(query, cancellationToken);
    }

    private Task Gate() => _stalled ? _dead.Task : Task.CompletedTask;
}
