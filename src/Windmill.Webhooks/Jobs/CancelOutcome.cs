namespace Windmill.Webhooks.Jobs;

/// <summary>What a cancel request did.</summary>
public enum CancelOutcome
{
    /// <summary>No such job.</summary>
    NotFound,

    /// <summary>The job had already completed; nothing changed.</summary>
    AlreadyCompleted,

    /// <summary>The job is canceled (queued) or its cancellation was signalled (running).</summary>
    Canceled,
}
