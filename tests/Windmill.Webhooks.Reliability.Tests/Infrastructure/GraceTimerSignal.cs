using Microsoft.Extensions.Time.Testing;

namespace Windmill.Webhooks.Reliability.Tests.Infrastructure;

/// <summary>
/// A fake clock that tells when the job runner starts its shutdown grace period (a timer of exactly that due
/// time), so a test acts inside the grace period, or ends it, without waiting on real time.
/// </summary>
internal sealed class GraceTimerSignal(TimeSpan gracePeriod) : FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero))
{
    private readonly TaskCompletionSource _graceStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TimeSpan GracePeriod { get; } = gracePeriod;

    public Task GraceStarted => _graceStarted.Task;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime == GracePeriod)
        {
            _graceStarted.TrySetResult();
        }

        return timer;
    }
}
