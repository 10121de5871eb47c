using Microsoft.Extensions.Logging;

namespace Windmill.Webhooks.Storage.Sqlite;

public sealed partial class SqliteDatabase
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Opened SQLite database {DataSource} at schema version {Version}")]
        public static partial void Opened(ILogger logger, string dataSource, int version);

        [LoggerMessage(2, LogLevel.Error, "A group commit of {Count} writes failed; each caller gets the error")]
        public static partial void CommitFailed(ILogger logger, Exception exception, int count);
    }
}
