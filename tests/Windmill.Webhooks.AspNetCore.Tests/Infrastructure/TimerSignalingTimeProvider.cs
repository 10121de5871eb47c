using Microsoft.Extensions.Time.Testing;

namespace Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells when a timer of a given due time is created, so a test
/// can advance the clock only once the code under test is really waiting on it.
/// </summary>
internal sealed class TimerSignalingTimeProvider(DateTimeOffset start, TimeSpan watchedDueTime) : FakeTimeProvider(start)
{
    private readonly TaskCompletionSource _created = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once a timer due in the watched time exists.</summary>
    public Task TimerCreated => _created.Task.Within();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime == watchedDueTime)
        {
            _created.TrySetResult();
        }

        return timer;
    }
}
