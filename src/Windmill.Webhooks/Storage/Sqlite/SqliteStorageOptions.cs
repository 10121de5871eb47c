namespace Windmill.Webhooks.Storage.Sqlite;

/// <summary>Options of the SQLite stores.</summary>
public sealed class SqliteStorageOptions
{
    /// <summary>The connection string. Default <c>Data Source=windmill.db</c>.</summary>
    public string ConnectionString { get; set; } = "Data Source=windmill.db";

    /// <summary>
    /// SQLite's <c>synchronous</c> setting for commits: <c>FULL</c> (default) fsyncs every commit, so an
    /// acknowledged job survives power loss; <c>NORMAL</c> survives a process crash only.
    /// </summary>
    public string Synchronous { get; set; } = "FULL";

    /// <summary>How many writes one group commit may hold at most. Default 512.</summary>
    public int MaxWritesPerCommit { get; set; } = 512;
}
