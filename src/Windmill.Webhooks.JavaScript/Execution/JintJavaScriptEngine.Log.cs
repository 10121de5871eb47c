using Microsoft.Extensions.Logging;

namespace Windmill.Webhooks.JavaScript.Execution;

internal sealed partial class JintJavaScriptEngine
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "A script reached a limit of the JavaScript sandbox ({Limit}): {Message}")]
        public static partial void LimitReached(ILogger logger, string limit, string message);
    }
}
