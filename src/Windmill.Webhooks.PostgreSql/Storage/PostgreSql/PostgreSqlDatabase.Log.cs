using Microsoft.Extensions.Logging;

namespace Windmill.Webhooks.Storage.PostgreSql;

public sealed partial class PostgreSqlDatabase
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Opened PostgreSQL schema {Schema} at version {Version}")]
        public static partial void Opened(ILogger logger, string schema, int version);

        [LoggerMessage(2, LogLevel.Information, "Migrated PostgreSQL schema {Schema} from version {From} to {To}")]
        public static partial void Migrated(ILogger logger, string schema, int from, int to);

        [LoggerMessage(3, LogLevel.Debug, "A transaction conflicted with another (attempt {Attempt}); running it again")]
        public static partial void Retrying(ILogger logger, Exception exception, int attempt);
    }
}
