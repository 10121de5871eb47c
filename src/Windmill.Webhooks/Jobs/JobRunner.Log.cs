using Microsoft.Extensions.Logging;

namespace Windmill.Webhooks.Jobs;

public sealed partial class JobRunner
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "{Count} jobs whose runner stopped holding them (their lease expired) went back to the queue")]
        public static partial void Reclaimed(ILogger logger, int count);

        [LoggerMessage(2, LogLevel.Warning, "{Count} jobs were still running at shutdown and went back to the queue")]
        public static partial void Released(ILogger logger, int count);

        [LoggerMessage(3, LogLevel.Error, "The executor of job {JobId} threw; the job fails")]
        public static partial void ExecutorFailed(ILogger logger, Exception exception, Guid jobId);

        [LoggerMessage(4, LogLevel.Error, "Claiming jobs failed; they stay queued and are claimed at the next attempt")]
        public static partial void ClaimFailed(ILogger logger, Exception exception);

        [LoggerMessage(5, LogLevel.Error, "Writing {Count} job completions failed; the jobs run again once their lease expires")]
        public static partial void CompletionFailed(ILogger logger, Exception exception, int count);

        [LoggerMessage(6, LogLevel.Error, "Suspending job {JobId} failed; it runs again once its lease expires")]
        public static partial void SuspendFailed(ILogger logger, Exception exception, Guid jobId);

        [LoggerMessage(7, LogLevel.Warning, "The job heartbeat failed; it runs again at the next interval")]
        public static partial void HeartbeatFailed(ILogger logger, Exception exception);

        [LoggerMessage(9, LogLevel.Error, "Giving {Count} running jobs back at shutdown failed; they run again once their lease expires")]
        public static partial void ReleaseFailed(ILogger logger, Exception exception, int count);

        [LoggerMessage(10, LogLevel.Warning, "Job {JobId} ran past its time limit of {Limit} and was stopped")]
        public static partial void TimedOut(ILogger logger, Guid jobId, TimeSpan limit);

        [LoggerMessage(11, LogLevel.Warning,
            "The code of job {JobId} ignored its stop for {GracePeriod}; its worker left it running ({Count} such jobs still run)")]
        public static partial void LeftBehind(ILogger logger, Guid jobId, TimeSpan gracePeriod, int count);

        [LoggerMessage(8, LogLevel.Warning, "Publishing a {Kind} job notification failed; other runners find the change at their heartbeat")]
        public static partial void NotifyFailed(ILogger logger, Exception exception, JobNotificationKind kind);
    }
}
