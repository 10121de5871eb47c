using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.Storage.Sqlite;

namespace Windmill.Webhooks.Tests;

/// <summary>A SQLite database in a file of its own, deleted with its WAL when disposed.</summary>
internal sealed class TemporaryDatabase : IAsyncDisposable
{
    private readonly List<SqliteDatabase> _opened = [];

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"windmill-test-{Guid.NewGuid():N}.db");

    public string ConnectionString => $"Data Source={Path}";

    /// <summary>Opens the file; call again after disposing the previous one to simulate a restart.</summary>
    public SqliteDatabase Open(string synchronous = "FULL")
    {
        var database = new SqliteDatabase(Options.Create(new SqliteStorageOptions { ConnectionString = ConnectionString, Synchronous = synchronous }),
            NullLogger<SqliteDatabase>.Instance);
        _opened.Add(database);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _opened)
        {
            await database.DisposeAsync();
        }

        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(Path + suffix);
        }
    }
}
