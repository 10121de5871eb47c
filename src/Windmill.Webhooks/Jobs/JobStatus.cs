namespace Windmill.Webhooks.Jobs;

/// <summary>Where a job is in its life: <c>Queued → Running → Success | Failure | Canceled</c>.</summary>
public enum JobStatus
{
    /// <summary>Accepted and persisted, waiting for a worker.</summary>
    Queued,

    /// <summary>A worker is running it.</summary>
    Running,

    /// <summary>Completed with a result.</summary>
    Success,

    /// <summary>Completed with an error.</summary>
    Failure,

    /// <summary>Canceled before it completed.</summary>
    Canceled,
}

/// <summary>Helpers on <see cref="JobStatus"/>.</summary>
public static class JobStatusExtensions
{
    /// <summary>Whether the status is final.</summary>
    public static bool IsCompleted(this JobStatus status) =>
        status is JobStatus.Success or JobStatus.Failure or JobStatus.Canceled;
}
