using Microsoft.Extensions.Logging;

namespace Windmill.Webhooks.Jobs;

internal sealed partial class LocalJobRunner
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Resumed {Count} queued jobs at start-up")]
        public static partial void Resumed(ILogger logger, int count);

        [LoggerMessage(2, LogLevel.Warning, "Job {JobId} was still running at shutdown and was re-queued")]
        public static partial void Requeued(ILogger logger, Guid jobId);

        [LoggerMessage(4, LogLevel.Information, "Re-armed {Count} scheduled jobs at start-up")]
        public static partial void Rearmed(ILogger logger, int count);

        [LoggerMessage(3, LogLevel.Error, "The worker could not run job {JobId}; it stays in the store")]
        public static partial void WorkerFailed(ILogger logger, Exception exception, Guid jobId);

        [LoggerMessage(5, LogLevel.Warning, "Job {JobId} ran past its time limit of {Limit} and was stopped")]
        public static partial void TimedOut(ILogger logger, Guid jobId, TimeSpan limit);

        [LoggerMessage(6, LogLevel.Warning,
            "The code of job {JobId} ignored its stop for {GracePeriod}; its worker left it running ({Count} such jobs still run)")]
        public static partial void LeftBehind(ILogger logger, Guid jobId, TimeSpan gracePeriod, int count);
    }
}
