namespace Windmill.Webhooks.Jobs;

/// <summary>
/// Signals between the runners that share an <see cref="IJobStore"/>: a job is ready to claim, completed,
/// or asked to stop. In process for SQLite and in memory (<see cref="InProcessJobNotifier"/>); a server
/// store publishes through its own channel (PostgreSQL's LISTEN/NOTIFY). Signals are hints that make
/// runners react at once: a runner that misses one still finds the change at its next heartbeat.
/// The same channel carries cache invalidations (<see cref="JobNotificationKind.ScriptsChanged"/>,
/// <see cref="JobNotificationKind.TokenRevoked"/>), so that a change made in one process reaches the
/// caches of the others at once; a missed one is bounded by the cache's own refresh time.
/// </summary>
public interface IJobNotifier
{
    /// <summary>Tells every subscribed runner (this one included) about <paramref name="notification"/>.</summary>
    ValueTask PublishAsync(JobNotification notification, CancellationToken cancellationToken);

    /// <summary>Calls <paramref name="listener"/> for each notification until the returned handle is disposed. The listener must not block.</summary>
    IDisposable Subscribe(Action<JobNotification> listener);
}
