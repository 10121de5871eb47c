using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Windmill.Webhooks.CrashTest;

/// <summary>
/// The evidence for "every job completes exactly once per lease". The job table keeps one row per job, so it
/// cannot show a second completion or a lease taken while held; the scripts cannot either (echo and hello_world
/// answer the same however often they run). So the tool adds two triggers to the sample's database that record
/// every change of a job's status or lease holder into a table of the tool's own, in the same commit as the
/// change: a SIGKILL cannot lose a record without losing the change with it.
/// </summary>
internal static class JobTransitions
{
    // Instants as the sample stores them: UTC ticks (100 ns since 0001-01-01); SQLite's 'now' has millisecond precision.
    private const string NowTicks = "((CAST(round(julianday('now') * 86400000.0) AS INTEGER) - 148731163200000) * 10000)";

    private const string InstallSql = $"""
        CREATE TABLE IF NOT EXISTS crash_test_job_transition (
            seq INTEGER PRIMARY KEY,
            job_id TEXT NOT NULL,
            old_status TEXT,
            new_status TEXT NOT NULL,
            old_owner TEXT,
            new_owner TEXT,
            old_lease_until INTEGER,
            restart_count INTEGER NOT NULL,
            at INTEGER NOT NULL,
            pending_children INTEGER NOT NULL DEFAULT 0
        );
        CREATE TRIGGER IF NOT EXISTS crash_test_job_inserted AFTER INSERT ON job
        BEGIN
            INSERT INTO crash_test_job_transition (job_id, new_status, new_owner, restart_count, at)
            VALUES (NEW.id, NEW.status, NEW.lease_owner, NEW.restart_count, {NowTicks});
        END;
        CREATE TRIGGER IF NOT EXISTS crash_test_job_changed AFTER UPDATE OF status, lease_owner ON job
        WHEN OLD.status IS NOT NEW.status OR OLD.lease_owner IS NOT NEW.lease_owner
        BEGIN
            INSERT INTO crash_test_job_transition (job_id, old_status, new_status, old_owner, new_owner, old_lease_until, restart_count, at, pending_children)
            VALUES (NEW.id, OLD.status, NEW.status, OLD.lease_owner, NEW.lease_owner, OLD.lease_until, NEW.restart_count, {NowTicks}, NEW.pending_children);
        END;
        """;

    /// <summary>Adds the table and triggers (once the sample has created its schema, before any job exists).</summary>
    public static void Install(string databasePath)
    {
        using var connection = DatabaseVerifier.Open(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = InstallSql;
        command.ExecuteNonQuery();
    }

    /// <summary>Every recorded transition, in commit order.</summary>
    public static List<JobTransition> Read(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT seq, job_id, old_status, new_status, old_owner, new_owner, old_lease_until, restart_count, at, pending_children
            FROM crash_test_job_transition ORDER BY seq
            """;
        using var reader = command.ExecuteReader();
        var transitions = new List<JobTransition>();
        while (reader.Read())
        {
            transitions.Add(new JobTransition(
                Guid.Parse(reader.GetString(1), CultureInfo.InvariantCulture),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : new DateTimeOffset(reader.GetInt64(6), TimeSpan.Zero),
                reader.GetInt32(7),
                new DateTimeOffset(reader.GetInt64(8), TimeSpan.Zero),
                reader.GetInt32(9)));
        }

        return transitions;
    }
}

/// <summary>
/// One recorded change of a job row: inserted (<see cref="OldStatus"/> null), claimed, completed, reclaimed, released,
/// or suspended (a flow job back in the queue until its <see cref="PendingChildren"/> step jobs complete), with the lease
/// holder before and after and when it was committed.
/// </summary>
internal sealed record JobTransition(Guid JobId, string? OldStatus, string NewStatus, string? OldOwner, string? NewOwner,
    DateTimeOffset? OldLeaseUntil, int RestartCount, DateTimeOffset At, int PendingChildren = 0)
{
    /// <summary>The process id in a lease owner (<c>machine/pid/random</c>, as <c>JobRunner.Owner</c> writes it).</summary>
    public static int? ProcessIdOf(string? owner) =>
        owner?.Split('/') is { Length: >= 3 } parts && int.TryParse(parts[^2], CultureInfo.InvariantCulture, out var pid) ? pid : null;
}
