using System.Text.Json;

namespace Windmill.Webhooks.Jobs;

/// <summary>The persistence behind <see cref="LocalJobRunner"/>: SQLite or in memory.</summary>
internal interface IJobStore
{
    /// <summary>Persists a new job; throws <see cref="DuplicateJobIdException"/> when the id is taken.</summary>
    ValueTask InsertAsync(Job job, CancellationToken cancellationToken);

    ValueTask<Job?> GetAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Queued → running. Returns the running job, or <see langword="null"/> if it was not queued.</summary>
    ValueTask<Job?> MarkRunningAsync(Guid id, DateTimeOffset startedAt, CancellationToken cancellationToken);

    /// <summary>Running → queued, for a job interrupted by shutdown.</summary>
    ValueTask RequeueAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>
    /// Any unfinished status → the completion's status. Returns the completed job, or <see langword="null"/>
    /// when it had already completed (completion is idempotent).
    /// </summary>
    ValueTask<Job?> CompleteAsync(Guid id, JobCompletion completion, CancellationToken cancellationToken);

    /// <summary>
    /// At start-up: running jobs go back to the queue with one more restart, or fail past
    /// <paramref name="maxRestarts"/>. Returns the ids of the queued jobs, oldest first.
    /// </summary>
    ValueTask<IReadOnlyList<Job>> RecoverAsync(int maxRestarts, DateTimeOffset now, CancellationToken cancellationToken);

    IAsyncEnumerable<Job> ListAsync(JobQuery query, CancellationToken cancellationToken);

    /// <summary>How many jobs match <paramref name="query"/>, paging ignored.</summary>
    ValueTask<long> CountAsync(JobQuery query, CancellationToken cancellationToken);
}

/// <summary>How a job ended, as written by <see cref="IJobStore.CompleteAsync"/>.</summary>
internal sealed record JobCompletion(JobStatus Status, JsonElement Result, string? Logs, DateTimeOffset CompletedAt,
    string? CanceledBy = null, string? CanceledReason = null);
