using Windmill.Webhooks.Audit;

namespace Windmill.Webhooks.Jobs;

/// <summary>
/// What the host and the endpoints call to run jobs. <see cref="EnqueueAsync"/> returns only once the job is
/// durable. The default, <see cref="JobRunner"/>, works across every process that shares its
/// <see cref="IJobStore"/>: any process may read, wait for or cancel a job that another one runs (within one
/// process at once; between processes as soon as the store's <see cref="IJobNotifier"/> says so, and at the
/// latest one <see cref="WindmillWebhooksOptions.JobHeartbeatInterval"/> later).
/// </summary>
public interface IJobRunner
{
    /// <summary>
    /// Persists a new job (with the audit entry of its trigger, when <see cref="NewJob.TriggeredBy"/> is set) and
    /// schedules it: at once, or at <see cref="JobOptions.ScheduledFor"/>, also after a restart. Throws
    /// <see cref="DuplicateJobIdException"/> when <see cref="JobOptions.Id"/> is taken, and
    /// <see cref="JobQueueFullException"/> (writing nothing) when the runner caps the unfinished jobs of a workspace
    /// and the cap is reached.
    /// </summary>
    ValueTask<Job> EnqueueAsync(NewJob job, CancellationToken cancellationToken);

    /// <summary>The job, or <see langword="null"/>.</summary>
    ValueTask<Job?> GetAsync(string workspace, Guid id, CancellationToken cancellationToken);

    /// <summary>
    /// Completes when the job does, with the completed job; signalled, never polled. Returns
    /// <see langword="null"/> for an unknown job. Cancelling <paramref name="cancellationToken"/> stops the wait, not the job.
    /// </summary>
    ValueTask<Job?> WaitForCompletionAsync(string workspace, Guid id, CancellationToken cancellationToken);

    /// <summary>
    /// Cancels a queued job at once, or signals a running one to stop. <paramref name="audit"/>, when given, is written
    /// only when the job is canceled, in the cancel's own commit when the store keeps the audit log (else right after it).
    /// </summary>
    ValueTask<CancelOutcome> CancelAsync(string workspace, Guid id, string canceledBy, string? reason, AuditEntry? audit,
        CancellationToken cancellationToken);

    /// <summary>Jobs matching <paramref name="query"/>, newest first (or oldest first when asked).</summary>
    IAsyncEnumerable<Job> ListAsync(JobQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// How many jobs match <paramref name="query"/>, paging ignored. The default counts <see cref="ListAsync"/>;
    /// runners with an index override it.
    /// </summary>
    async ValueTask<long> CountAsync(JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        long count = 0;
        await foreach (var _ in ListAsync(query with { Offset = 0, Limit = int.MaxValue }, cancellationToken).ConfigureAwait(false))
        {
            count++;
        }

        return count;
    }
}
