namespace Windmill.Webhooks.Jobs;

/// <summary>One signal between runners; see <see cref="IJobNotifier"/>.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="JobId">The job it happened to; <see cref="Guid.Empty"/> for "some job is ready" and for cache invalidations.</param>
public sealed record JobNotification(JobNotificationKind Kind, Guid JobId)
{
    /// <summary>The completed job, when the publisher has it at hand (in process); receivers otherwise read it from the store.</summary>
    public Job? Job { get; init; }

    /// <summary>
    /// What a cache invalidation names: the workspace of <see cref="JobNotificationKind.ScriptsChanged"/>, the token hash of
    /// <see cref="JobNotificationKind.TokenRevoked"/> (a SHA-256 hex, never a plaintext).
    /// </summary>
    public string? Key { get; init; }
}

/// <summary>What a <see cref="JobNotification"/> says.</summary>
public enum JobNotificationKind
{
    /// <summary>A job became due: idle runners should claim.</summary>
    Ready,

    /// <summary>The job completed: its waiters can stop waiting.</summary>
    Completed,

    /// <summary>The job was canceled: the runner running it should stop its code.</summary>
    CancelRequested,

    /// <summary>Scripts of the workspace in <see cref="JobNotification.Key"/> were deployed, archived or deleted: drop cached versions.</summary>
    ScriptsChanged,

    /// <summary>The token whose hash is <see cref="JobNotification.Key"/> was deleted or changed: drop it from caches.</summary>
    TokenRevoked,
}
