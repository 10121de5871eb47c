using Microsoft.Data.Sqlite;
using Windmill.Webhooks.CrashTest;

namespace Windmill.Webhooks.Reliability.Tests;

/// <summary>
/// The crash tool's checks can fail: each break of "exactly once per lease", and a job without its audit entry,
/// is found in a history or a database written by hand.
/// </summary>
public sealed class CrashTestVerifierTests : IDisposable
{
    private const string Dead = "vm/100/a"; // killed at T0 + 2 s
    private const string Survivor = "vm/200/b"; // running all along
    private const string LaterStart = "vm/300/c"; // started at T0 + 3 s

    private static readonly DateTimeOffset T0 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid JobId = Guid.Parse("01970000-0000-7000-8000-000000000001");

    private static readonly SampleLifetime[] Lifetimes =
    [
        new(100, T0, KilledAt: T0.AddSeconds(2)),
        new(200, T0),
        new(300, T0.AddSeconds(3)),
    ];

    private readonly string _folder = Directory.CreateTempSubdirectory("crash-test-verifier-").FullName;

    [Fact]
    public void A_killed_process_s_job_reclaimed_after_its_lease_and_completed_by_the_survivor_holds()
    {
        var findings = Verify(TakenOverBy(Survivor), Completed(restartCount: 1));

        Assert.Empty(findings.Violations);
        Assert.Equal((2, 1, 1, 0), (findings.Leases, findings.Reclaimed, findings.TakenOverBySurvivor, findings.TakenOverByLaterStart));
    }

    [Fact]
    public void A_job_taken_over_by_a_process_started_after_the_kill_counts_as_a_later_start()
    {
        var findings = Verify(TakenOverBy(LaterStart), Completed(restartCount: 1));

        Assert.Empty(findings.Violations);
        Assert.Equal((0, 1), (findings.TakenOverBySurvivor, findings.TakenOverByLaterStart));
    }

    [Fact]
    public void A_reclaim_before_the_lease_expired_is_a_violation()
    {
        var transitions = TakenOverBy(Survivor);
        transitions[1] = transitions[1] with { At = T0.AddSeconds(6) }; // the lease ran until T0 + 7 s

        var violation = Assert.Single(Verify(transitions, Completed(restartCount: 1)).Violations);

        Assert.Contains("before its lease expired", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lease_passed_to_another_process_while_held_is_a_violation()
    {
        JobTransition[] transitions =
        [
            Inserted(Dead, T0.AddSeconds(1)),
            new(JobId, "running", "running", Dead, Survivor, T0.AddSeconds(7), 0, T0.AddSeconds(1.5)),
            new(JobId, "running", "success", Survivor, null, T0.AddSeconds(8), 0, T0.AddSeconds(1.6)),
        ];

        var violations = Verify(transitions, Completed(restartCount: 0)).Violations;

        Assert.Contains(violations, v => v.Contains("while held", StringComparison.Ordinal));
    }

    [Fact]
    public void A_completion_after_its_process_was_killed_is_a_violation()
    {
        JobTransition[] transitions =
        [
            Inserted(Dead, T0.AddSeconds(1)),
            new(JobId, "running", "success", Dead, null, T0.AddSeconds(7), 0, T0.AddSeconds(2.5)),
        ];

        var violation = Assert.Single(Verify(transitions, Completed(restartCount: 0)).Violations);

        Assert.Contains("killed at", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_completion_and_a_restart_count_that_does_not_match_the_leases_are_violations()
    {
        var transitions = TakenOverBy(Survivor);
        transitions.Add(new(JobId, "success", "success", null, null, null, 1, T0.AddSeconds(9)));

        var twice = Verify(transitions, Completed(restartCount: 1)).Violations;
        var miscounted = Verify(TakenOverBy(Survivor), Completed(restartCount: 2)).Violations;

        Assert.Contains(twice, v => v.Contains("changed after it completed", StringComparison.Ordinal));
        Assert.Contains(miscounted, v => v.Contains("2 leases, but restart_count 2", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_job_without_its_audit_entry_is_reported_and_an_acknowledged_one_is_lost_too()
    {
        var database = Path.Combine(_folder, "windmill.db");
        Guid audited = Guid.NewGuid(), acknowledged = Guid.NewGuid(), unacknowledged = Guid.NewGuid();
        using (var connection = Open(database))
        {
            Execute(connection, """
                CREATE TABLE job (id TEXT PRIMARY KEY, status TEXT NOT NULL, restart_count INTEGER NOT NULL DEFAULT 0, args TEXT NOT NULL DEFAULT '{}',
                    result TEXT, lease_owner TEXT, lease_until INTEGER, parent_job TEXT, kind TEXT NOT NULL DEFAULT 'script',
                    script_path TEXT NOT NULL DEFAULT 'u/bot/echo', pending_children INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE audit (operation TEXT NOT NULL, parameters TEXT);
                """);
            JobTransitions.Install(database);
            foreach (var id in new[] { audited, acknowledged, unacknowledged })
            {
                Execute(connection, $"INSERT INTO job (id, status, lease_owner, lease_until) VALUES ('{id}', 'running', '{Survivor}', 0)");
                Execute(connection, $"UPDATE job SET status = 'success', lease_owner = NULL, lease_until = NULL WHERE id = '{id}'");
            }

            Execute(connection, $$"""INSERT INTO audit VALUES ('jobs.run.script', '{"uuid":"{{audited}}"}')""");
        }

        using var acknowledgements = new Acknowledgements(Path.Combine(_folder, "acknowledged.txt"));
        acknowledgements.AsyncJob(audited, new Uri("http://127.0.0.1:1/"));
        acknowledgements.AsyncJob(acknowledged, new Uri("http://127.0.0.1:1/"));

        var findings = DatabaseVerifier.Verify(database, acknowledgements, Lifetimes);

        Assert.Equal(2, findings.WithoutAuditEntry.Count);
        Assert.Contains(findings.WithoutAuditEntry, line => line.Contains(unacknowledged.ToString(), StringComparison.Ordinal));
        Assert.Equal($"job {acknowledged}: acknowledged, no jobs.run.script audit entry", Assert.Single(findings.Lost));
        Assert.Empty(findings.Leases.Violations);
        Assert.Equal(3, findings.Leases.Leases);
    }

    [Fact]
    public void A_flow_s_steps_need_no_audit_entry_and_an_acknowledged_flow_that_ended_with_another_result_is_reported()
    {
        var database = Path.Combine(_folder, "windmill.db");
        Guid right = Guid.NewGuid(), wrong = Guid.NewGuid(), step = Guid.NewGuid();
        using (var connection = Open(database))
        {
            Execute(connection, """
                CREATE TABLE job (id TEXT PRIMARY KEY, status TEXT NOT NULL, restart_count INTEGER NOT NULL DEFAULT 0, args TEXT NOT NULL DEFAULT '{}',
                    result TEXT, lease_owner TEXT, lease_until INTEGER, parent_job TEXT, kind TEXT NOT NULL DEFAULT 'script',
                    script_path TEXT NOT NULL DEFAULT 'u/bot/echo', pending_children INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE audit (operation TEXT NOT NULL, parameters TEXT);
                """);
            JobTransitions.Install(database);
            Execute(connection, $$"""
                INSERT INTO job (id, status, kind, script_path, result) VALUES
                    ('{{right}}', 'success', 'flow', 'f/crash/three_steps', '{"slept":20,"greeting":"Hello, c1-1!","nonce":"c1-1"}'),
                    ('{{wrong}}', 'success', 'flow', 'f/crash/three_steps', '{"nonce":"c1-2","greeting":"Hello, c1-2!","slept":21}');
                INSERT INTO job (id, status, parent_job) VALUES ('{{step}}', 'success', '{{right}}');
                INSERT INTO audit VALUES ('jobs.run.flow', '{"uuid":"{{right}}"}'), ('jobs.run.flow', '{"uuid":"{{wrong}}"}');
                """);
        }

        using var acknowledgements = new Acknowledgements(Path.Combine(_folder, "acknowledged.txt"));
        acknowledgements.AsyncJob(right, new Uri("http://127.0.0.1:1/"), CrashFlow.Result("c1-1", 20));
        acknowledgements.AsyncJob(wrong, new Uri("http://127.0.0.1:1/"), CrashFlow.Result("c1-2", 20));

        var findings = DatabaseVerifier.Verify(database, acknowledgements, Lifetimes);

        Assert.Empty(findings.WithoutAuditEntry);
        Assert.Empty(findings.Lost);
        Assert.StartsWith($"job {wrong}: acknowledged, ended with ", Assert.Single(findings.WrongResults), StringComparison.Ordinal);
        Assert.Equal((2, 1), (findings.Flows.Flows, findings.Flows.StepJobs));
    }

    [Fact]
    public void The_triggers_record_each_change_with_the_time_of_its_commit_in_ticks()
    {
        var database = Path.Combine(_folder, "windmill.db");
        using var connection = Open(database);
        Execute(connection, """
            CREATE TABLE job (id TEXT PRIMARY KEY, status TEXT NOT NULL, restart_count INTEGER NOT NULL DEFAULT 0, lease_owner TEXT, lease_until INTEGER,
                pending_children INTEGER NOT NULL DEFAULT 0)
            """);
        JobTransitions.Install(database);
        var before = TimeProvider.System.GetUtcNow();

        Execute(connection, $"INSERT INTO job (id, status) VALUES ('{JobId}', 'queued')");
        Execute(connection, $"UPDATE job SET lease_until = 5 WHERE id = '{JobId}'"); // a renewal: neither status nor holder changes
        Execute(connection, $"UPDATE job SET status = 'running', lease_owner = '{Survivor}', lease_until = 7 WHERE id = '{JobId}'");

        Execute(connection, $"UPDATE job SET status = 'queued', lease_owner = NULL, pending_children = 3 WHERE id = '{JobId}'"); // a flow's suspension

        var transitions = JobTransitions.Read(connection);
        var expected = new (string? OldStatus, string NewStatus, string? NewOwner, int Pending)[]
        {
            (null, "queued", null, 0), ("queued", "running", Survivor, 0), ("running", "queued", null, 3),
        };
        Assert.Equal(expected, transitions.Select(t => (t.OldStatus, t.NewStatus, t.NewOwner, t.PendingChildren)));
        Assert.All(transitions, t => Assert.InRange(t.At, before.AddMilliseconds(-2), TimeProvider.System.GetUtcNow().AddMilliseconds(2)));
        Assert.Equal(new DateTimeOffset(5, TimeSpan.Zero), transitions[1].OldLeaseUntil);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    // Held by the dead process under a lease until T0 + 7 s, reclaimed at T0 + 8 s, claimed by the new holder, completed.
    private static List<JobTransition> TakenOverBy(string owner) =>
    [
        Inserted(Dead, T0.AddSeconds(1)),
        new(JobId, "running", "queued", Dead, null, T0.AddSeconds(7), 1, T0.AddSeconds(8)),
        new(JobId, "queued", "running", null, owner, null, 1, T0.AddSeconds(8.1)),
        new(JobId, "running", "success", owner, null, T0.AddSeconds(13), 1, T0.AddSeconds(8.5)),
    ];

    private static JobTransition Inserted(string owner, DateTimeOffset at) => new(JobId, null, "running", null, owner, null, 0, at);

    private static StoredJob Completed(int restartCount) => new(JobId, "success", restartCount, Nonce: null, ErrorName: null, LeaseOwner: null);

    private static LeaseFindings Verify(IReadOnlyList<JobTransition> transitions, StoredJob job) =>
        LeaseVerifier.Verify(transitions, new Dictionary<Guid, StoredJob> { [job.Id] = job }, Lifetimes);

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
