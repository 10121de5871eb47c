using Microsoft.Extensions.Logging;

namespace Windmill.Webhooks.Tokens;

public sealed partial class TokenService
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Wrote last-used times of {Count} tokens")]
        public static partial void UsageFlushed(ILogger logger, int count);
    }
}
