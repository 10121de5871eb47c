using Microsoft.Extensions.Logging;

namespace Windmill.Webhooks.Storage.PostgreSql;

public sealed partial class PostgreSqlJobNotifier
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Listening for job signals on channel {Channel}")]
        public static partial void Listening(ILogger logger, string channel);

        [LoggerMessage(2, LogLevel.Warning, "The job signal listener lost its connection; reconnecting in {Delay} (heartbeats cover what is missed)")]
        public static partial void ListenFailed(ILogger logger, Exception exception, TimeSpan delay);

        [LoggerMessage(3, LogLevel.Warning, "Could not send {Count} job signals; other processes find the changes at their next heartbeat")]
        public static partial void SendFailed(ILogger logger, Exception exception, int count);
    }
}
