using Microsoft.Data.Sqlite;

namespace Windmill.Webhooks.Reliability.Tests.Infrastructure;

/// <summary>
/// A SQLite file of its own in a temp folder, read directly (not through the app) to count what was
/// written and to run <c>PRAGMA integrity_check</c>. The folder goes on dispose.
/// </summary>
internal sealed class DatabaseFile : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("windmill-reliability-").FullName;

    public string Path => System.IO.Path.Combine(_folder, "windmill.db");

    public string ConnectionString => $"Data Source={Path}";

    public long CountJobs() => Scalar("SELECT count(*) FROM job");

    public long CountAuditEntries() => Scalar("SELECT count(*) FROM audit");

    public long CountJobRunAuditEntries() => Scalar("SELECT count(*) FROM audit WHERE operation = 'jobs.run.script'");

    public long CountTokens() => Scalar("SELECT count(*) FROM token");

    public string IntegrityCheck()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        return string.Join("; ", rows);
    }

    /// <summary>A job's status and restart count, read from the file.</summary>
    public (string Status, long RestartCount) JobState(Guid id)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT status, restart_count FROM job WHERE id = $id";
        command.Parameters.AddWithValue("$id", id.ToString("D"));
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read(), $"job {id} is not in the database");
        return (reader.GetString(0), reader.GetInt64(1));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private long Scalar(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}
