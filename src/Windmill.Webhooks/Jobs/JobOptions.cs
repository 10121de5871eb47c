namespace Windmill.Webhooks.Jobs;

/// <summary>How a webhook asked its job to run: Windmill's <c>job_id</c>, <c>scheduled_for</c>, <c>parent_job</c>, … query options.</summary>
public sealed record JobOptions
{
    /// <summary>No options: a new id, at once, default tag.</summary>
    public static JobOptions None { get; } = new();

    /// <summary>The id to use; a new time-ordered id when <see langword="null"/>.</summary>
    public Guid? Id { get; init; }

    /// <summary>When the job may start; at once when <see langword="null"/> or past.</summary>
    public DateTimeOffset? ScheduledFor { get; init; }

    /// <summary>The parent job, if any.</summary>
    public Guid? ParentJob { get; init; }

    /// <summary>The root flow job, if any.</summary>
    public Guid? RootJob { get; init; }

    /// <summary>The worker tag; <c>default</c> when <see langword="null"/>.</summary>
    public string? Tag { get; init; }

    /// <summary>Whether the runnable's owner may see the job.</summary>
    public bool VisibleToOwner { get; init; } = true;

    /// <summary>
    /// A time limit for this job (Windmill's <c>timeout</c>); it can only shorten the script's and the instance's limits.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// Windmill's <c>queue_limit</c>: <see cref="JobRuns"/> refuses the run (<see cref="QueueLimitExceededException"/>) when
    /// more than this many jobs of the workspace are due and unfinished; no limit when <see langword="null"/>. It is a
    /// check before the enqueue: <see cref="IJobRunner.EnqueueAsync"/> does not read it.
    /// </summary>
    public long? QueueLimit { get; init; }
}
