using Hangfire.Storage.SQLite;
using SQLite;

namespace Windmill.Webhooks.Bench.HangfireHost;

/// <summary>Hangfire's SQLite storage with the same durability as ours: WAL and an explicit synchronous mode.</summary>
internal static class HangfireStorage
{
    public static SQLiteStorage Create(string path, string synchronous)
    {
        var mode = synchronous.ToUpperInvariant() switch
        {
            "FULL" => "FULL",
            "NORMAL" => "NORMAL",
            _ => throw new ArgumentException($"synchronous must be FULL or NORMAL, not '{synchronous}'."),
        };

        var connections = new SQLiteDbConnectionFactory(() =>
        {
            var connection = new SQLiteConnection(path, SQLiteOpenFlags.ReadWrite | SQLiteOpenFlags.Create | SQLiteOpenFlags.NoMutex,
                storeDateTimeAsTicks: true) { BusyTimeout = TimeSpan.FromSeconds(30) };
            connection.Execute($"PRAGMA synchronous = {mode}");
            return connection;
        });

        return new SQLiteStorage(connections, new SQLiteStorageOptions
        {
            JournalMode = SQLiteStorageOptions.JournalModes.WAL,
            QueuePollInterval = TimeSpan.FromMilliseconds(100),
        });
    }
}
