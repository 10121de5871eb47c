using Microsoft.Extensions.Logging;

namespace Windmill.Webhooks.Execution;

internal sealed partial class ScriptJobExecutor
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Job {JobId} of script {Path} failed")]
        public static partial void ScriptFailed(ILogger logger, Exception exception, Guid jobId, string path);
    }
}
