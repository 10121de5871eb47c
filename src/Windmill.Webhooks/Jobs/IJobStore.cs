using System.Text.Json;
using Windmill.Webhooks.Audit;

namespace Windmill.Webhooks.Jobs;

/// <summary>
/// The storage SPI behind <see cref="JobRunner"/>: what a backend author implements so that jobs live in
/// their store. The runner owns concurrency (workers, waits, timers); the store owns atomicity. Many
/// runners, in one process or many, may share one store: a runner holds a job only while its lease lasts.
/// Every member is one atomic change (one commit); none may half-apply.
/// </summary>
/// <remarks>
/// Conformance: inherit <c>JobStoreSpecification</c> from <c>Windmill.Webhooks.Specification.Tests</c>.
/// Statuses move <c>queued → running → success | failure | canceled</c>; a running job always has a lease
/// (owner and expiry). A queued job is due when its <see cref="Job.ScheduledFor"/> has passed and it waits
/// for no child job (<see cref="Job.PendingChildren"/> is 0).
/// </remarks>
public interface IJobStore
{
    /// <summary>
    /// Whether <see cref="EnqueueAsync"/> and <see cref="CancelAsync"/> can write entries of
    /// <paramref name="audit"/> in their own commit (the sink keeps its log in this store). When they cannot,
    /// the runner writes the entry to the sink after the job's commit.
    /// </summary>
    bool CommitsWith(IAuditSink audit);

    /// <summary>
    /// Persists a new job, with <paramref name="audit"/> (when given) in the same commit. With a
    /// <paramref name="lease"/> the job is stored already claimed (<see cref="JobStatus.Running"/>) by the
    /// lease's owner, which runs it without a separate claim. Throws <see cref="DuplicateJobIdException"/>
    /// when the id is taken, having written nothing.
    /// </summary>
    ValueTask EnqueueAsync(Job job, JobLease? lease, AuditEntry? audit, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="max"/> jobs that are due at <paramref name="now"/>, oldest schedule first:
    /// they become running under <paramref name="lease"/>, started at <paramref name="now"/>. A job is claimed
    /// by one lease at a time.
    /// </summary>
    ValueTask<IReadOnlyList<Job>> ClaimAsync(JobLease lease, int max, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Extends to <paramref name="lease"/>'s expiry the leases its owner holds on <paramref name="ids"/>.
    /// Returns the ids whose lease the owner no longer holds (completed, canceled, or reclaimed by another runner):
    /// their code must stop.
    /// </summary>
    ValueTask<IReadOnlyList<Guid>> RenewAsync(JobLease lease, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken);

    /// <summary>
    /// Completes running jobs that <paramref name="owner"/> still holds, all in one commit, with their
    /// <see cref="JobCompletion.FlowStatus"/> when given. A completion whose
    /// lease was lost (the job was canceled or reclaimed) is ignored: completion is idempotent. A completed job
    /// with <see cref="JobCompletion.ResumesParent"/> takes one from its parent's
    /// <see cref="Job.PendingChildren"/> in the same commit. Returns, in order, whether each completion applied.
    /// </summary>
    ValueTask<IReadOnlyList<bool>> CompleteAsync(string owner, IReadOnlyList<JobCompletion> completions, CancellationToken cancellationToken);

    /// <summary>
    /// Suspends running job <paramref name="id"/>, which <paramref name="owner"/> holds, until
    /// <paramref name="children"/> complete: in one commit the children are inserted (queued) and the parent goes
    /// back to the queue, waiting for them, holding no lease, with <paramref name="flowStatus"/> (when given) as its
    /// <see cref="Job.FlowStatus"/>. Returns <see langword="false"/> (writing nothing) when the lease was lost.
    /// </summary>
    ValueTask<bool> SuspendAsync(string owner, Guid id, JsonElement? flowStatus, IReadOnlyList<Job> children, CancellationToken cancellationToken);

    /// <summary>Gives <paramref name="owner"/>'s running jobs back to the queue, without counting a restart (a graceful stop).</summary>
    ValueTask ReleaseAsync(string owner, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken);

    /// <summary>
    /// Windmill's zombie rule, for running jobs whose lease expired before <paramref name="now"/> (their runner
    /// died or lost the store): back to the queue with one more restart, or, past <paramref name="maxRestarts"/>,
    /// failed with <paramref name="restartLimitError"/> as result. Canceled jobs are not touched.
    /// </summary>
    ValueTask<ReclaimedJobs> ReclaimExpiredAsync(DateTimeOffset now, int maxRestarts, JsonElement restartLimitError,
        CancellationToken cancellationToken);

    /// <summary>
    /// Completes an unfinished job as canceled, whatever holds it, with <paramref name="audit"/> (when given) in
    /// the same commit. Returns the canceled job, or <see langword="null"/> when it had already completed.
    /// </summary>
    ValueTask<Job?> CancelAsync(JobCompletion cancellation, AuditEntry? audit, CancellationToken cancellationToken);

    /// <summary>The earliest <see cref="Job.ScheduledFor"/> of queued jobs scheduled after <paramref name="now"/>, if any.</summary>
    ValueTask<DateTimeOffset?> NextScheduledAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The job, or <see langword="null"/>.</summary>
    ValueTask<Job?> GetAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Jobs matching <paramref name="query"/>, streamed (not materialized), newest first unless asked otherwise.</summary>
    IAsyncEnumerable<Job> ListAsync(JobQuery query, CancellationToken cancellationToken);

    /// <summary>How many jobs match <paramref name="query"/>, paging ignored.</summary>
    ValueTask<long> CountAsync(JobQuery query, CancellationToken cancellationToken);
}
