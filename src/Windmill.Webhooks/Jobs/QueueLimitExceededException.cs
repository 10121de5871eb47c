namespace Windmill.Webhooks.Jobs;

/// <summary>
/// Thrown when a run's <see cref="JobOptions.QueueLimit"/> (Windmill's <c>queue_limit</c>) is exceeded: more jobs of
/// the workspace are due and unfinished than the run allows. Nothing was written; the HTTP layer answers <c>429</c>.
/// </summary>
public sealed class QueueLimitExceededException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public QueueLimitExceededException(long queued, long limit)
        : base($"Number of queued job is too high: {queued} > {limit}")
    {
        Queued = queued;
        Limit = limit;
    }

    /// <summary>How many jobs were due and unfinished.</summary>
    public long Queued { get; }

    /// <summary>The run's limit.</summary>
    public long Limit { get; }
}
