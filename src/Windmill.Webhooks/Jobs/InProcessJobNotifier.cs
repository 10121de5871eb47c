namespace Windmill.Webhooks.Jobs;

/// <summary>The <see cref="IJobNotifier"/> of runners in one process: notifications are delivered synchronously, in memory.</summary>
public sealed class InProcessJobNotifier : IJobNotifier
{
    private readonly Lock _lock = new();
    private Action<JobNotification>[] _listeners = [];

    /// <inheritdoc />
    public ValueTask PublishAsync(JobNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        foreach (var listener in Volatile.Read(ref _listeners))
        {
            listener(notification);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public IDisposable Subscribe(Action<JobNotification> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_lock)
        {
            _listeners = [.. _listeners, listener];
        }

        return new Subscription(this, listener);
    }

    private void Unsubscribe(Action<JobNotification> listener)
    {
        lock (_lock)
        {
            _listeners = _listeners.Where(l => l != listener).ToArray();
        }
    }

    private sealed class Subscription(InProcessJobNotifier notifier, Action<JobNotification> listener) : IDisposable
    {
        public void Dispose() => notifier.Unsubscribe(listener);
    }
}
