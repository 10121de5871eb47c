using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Windmill.Webhooks.CrashTest;

/// <summary>
/// Reads the sample's SQLite file directly (tables <c>job</c> and <c>audit</c>, and the tool's own record of
/// every job's transitions, <see cref="JobTransitions"/>) and checks the acknowledgements against it.
/// </summary>
internal static class DatabaseVerifier
{
    private static readonly string[] Unfinished = ["queued", "running"];

    /// <summary>How many jobs are still queued or running.</summary>
    public static long CountUnfinishedJobs(string databasePath) =>
        Count(databasePath, "SELECT count(*) FROM job WHERE status IN ('queued', 'running')");

    /// <summary>Polls (the tool may) until no job is queued or running, or <paramref name="timeout"/> passes; returns how many are left.</summary>
    public static async Task<long> WaitUntilDrainedAsync(string databasePath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await PollUntilAsync(() => CountUnfinishedJobs(databasePath) == 0, TimeSpan.FromMilliseconds(100), timeout, cancellationToken).ConfigureAwait(false);
        return CountUnfinishedJobs(databasePath);
    }

    /// <summary>
    /// Polls until the sample with process id <paramref name="processId"/> holds a running <c>u/bot/sleep</c> job with at
    /// least <paramref name="timeLeft"/> of its sleep left, so that a kill now catches it running; false if none came within <paramref name="timeout"/>.
    /// </summary>
    public static Task<bool> WaitUntilSleepRunsInAsync(string databasePath, int processId, TimeSpan timeLeft, TimeSpan timeout,
        CancellationToken cancellationToken) =>
        PollUntilAsync(() => Count(databasePath, """
            SELECT count(*) FROM job
            WHERE status = 'running' AND script_path = 'u/bot/sleep' AND lease_owner LIKE $owner
              AND started_at + json_extract(args, '$.ms') * 10000 > $until
            """, ("$owner", $"%/{processId}/%"), ("$until", (TimeProvider.System.GetUtcNow() + timeLeft).UtcTicks)) > 0,
            TimeSpan.FromMilliseconds(10), timeout, cancellationToken);

    internal static async Task<bool> PollUntilAsync(Func<bool> done, TimeSpan interval, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (!done())
        {
            try
            {
                await Task.Delay(interval, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        return true;
    }

    private static long Count(string databasePath, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (long)command.ExecuteScalar()!;
    }

    public static DatabaseFindings Verify(string databasePath, Acknowledgements acknowledgements, IReadOnlyList<SampleLifetime> lifetimes)
    {
        ArgumentNullException.ThrowIfNull(acknowledgements);
        using var connection = Open(databasePath);
        var integrity = string.Join("; ", ReadColumn(connection, "PRAGMA integrity_check", reader => reader.GetString(0)));

        var jobs = ReadColumn(connection, """
            SELECT id, status, restart_count, json_extract(args, '$.nonce'), json_extract(result, '$.error.name'), lease_owner,
                parent_job, kind, script_path, result
            FROM job
            """,
            reader => new StoredJob(Guid.Parse(reader.GetString(0)), reader.GetString(1), reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5))
            {
                ParentJob = reader.IsDBNull(6) ? null : Guid.Parse(reader.GetString(6)),
                Kind = reader.GetString(7),
                ScriptPath = reader.GetString(8),
                Result = reader.IsDBNull(9) ? null : reader.GetString(9),
            })
            .ToDictionary(job => job.Id);
        // A webhook's job and its audit entry are one commit; a flow's step jobs are the engine's, with no entry of their own.
        var audited = ReadColumn(connection, "SELECT json_extract(parameters, '$.uuid') FROM audit WHERE operation IN ('jobs.run.script', 'jobs.run.flow')",
                reader => reader.IsDBNull(0) ? Guid.Empty : Guid.Parse(reader.GetString(0)))
            .ToHashSet();
        return Check(integrity, jobs, audited, JobTransitions.Read(connection), acknowledgements, lifetimes);
    }

    /// <summary>
    /// The checks, on what any backend read: its jobs, the ids with a <c>jobs.run.script</c> or <c>jobs.run.flow</c> audit
    /// entry, and the recorded transitions.
    /// </summary>
    public static DatabaseFindings Check(string integrity, Dictionary<Guid, StoredJob> jobs, HashSet<Guid> audited, IReadOnlyList<JobTransition> transitions,
        Acknowledgements acknowledgements, IReadOnlyList<SampleLifetime> lifetimes)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(acknowledgements);
        var triggered = jobs.Values.Where(job => job.ParentJob is null).ToList();
        var jobsByNonce = triggered.Where(job => job.Nonce is not null).ToLookup(job => job.Nonce!);

        var acknowledgedJobs = new List<StoredJob>();
        var lost = new List<string>();
        foreach (var id in acknowledgements.AsyncJobs)
        {
            if (!jobs.TryGetValue(id, out var job))
            {
                lost.Add($"async job {id}: no job row");
            }
            else
            {
                acknowledgedJobs.Add(job);
            }
        }

        foreach (var nonce in acknowledgements.SyncNonces)
        {
            var matches = jobsByNonce[nonce].ToList();
            if (matches.Count != 1)
            {
                lost.Add($"sync call {nonce}: {matches.Count} job rows, expected 1");
            }
            else
            {
                acknowledgedJobs.Add(matches[0]);
            }
        }

        lost.AddRange(acknowledgedJobs.Where(job => !audited.Contains(job.Id)).Select(job => $"job {job.Id}: acknowledged, no {AuditOperation(job)} audit entry"));
        var notCompleted = acknowledgedJobs.Where(job => job.Status != "success" && job.ErrorName != "RestartLimitReached")
            .Select(job => $"job {job.Id}: acknowledged, {job.Status} ({job.ErrorName ?? "no error"})")
            .ToList();
        var wrongResults = acknowledgements.ExpectedResults
            .Where(expected => jobs.TryGetValue(expected.Key, out var job) && job.Status == "success" && !JsonNode.DeepEquals(Parse(job.Result), expected.Value))
            .Select(expected => $"job {expected.Key}: acknowledged, ended with {jobs[expected.Key].Result}, expected {expected.Value.ToJsonString()}")
            .ToList();
        return new DatabaseFindings
        {
            IntegrityCheck = integrity,
            Jobs = jobs.Count,
            Succeeded = jobs.Values.Count(job => job.Status == "success"),
            GaveUpAtRestartLimit = jobs.Values.Count(job => job.ErrorName == "RestartLimitReached"),
            OtherwiseFailed = jobs.Values.Count(job => job.Status != "success" && job.ErrorName != "RestartLimitReached" && !Unfinished.Contains(job.Status)),
            LeftUnfinished = jobs.Values.Count(job => Unfinished.Contains(job.Status)),
            RunAgainAfterCrash = jobs.Values.Count(job => job.RestartCount > 0),
            AcknowledgedRunAgainAfterCrash = acknowledgedJobs.Count(job => job.RestartCount > 0),
            WithoutAuditEntry = triggered.Where(job => !audited.Contains(job.Id)).Select(job => $"job {job.Id} ({job.Status}): no {AuditOperation(job)} audit entry").ToList(),
            Lost = lost,
            AcknowledgedNotCompleted = notCompleted,
            WrongResults = wrongResults,
            Leases = LeaseVerifier.Verify(transitions, jobs, lifetimes),
            Flows = FlowVerifier.Verify(transitions, jobs, lifetimes, CrashFlow.StepScripts),
        };
    }

    private static string AuditOperation(StoredJob job) => job.Kind == "flow" ? "jobs.run.flow" : "jobs.run.script";

    private static JsonNode? Parse(string? json)
    {
        try
        {
            return json is null ? null : JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static List<T> ReadColumn<T>(SqliteConnection connection, string sql, Func<SqliteDataReader, T> read)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    // Not pooled, so the file is free once a check is done; Microsoft.Data.Sqlite retries a busy database for its command timeout.
    public static SqliteConnection Open(string databasePath)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false, Mode = SqliteOpenMode.ReadWrite }.ToString());
        connection.Open();
        return connection;
    }
}

/// <summary>A job row, as far as the checks read it.</summary>
internal sealed record StoredJob(Guid Id, string Status, int RestartCount, string? Nonce, string? ErrorName, string? LeaseOwner)
{
    /// <summary>The flow job that started it (a flow's step, a loop's iteration), or <see langword="null"/> for a webhook's job.</summary>
    public Guid? ParentJob { get; init; }

    public string Kind { get; init; } = "script";

    public string ScriptPath { get; init; } = "";

    /// <summary>The result's JSON text, once completed.</summary>
    public string? Result { get; init; }
}

/// <summary>What the database holds after the run.</summary>
internal sealed record DatabaseFindings
{
    public required string IntegrityCheck { get; init; }

    public required int Jobs { get; init; }

    public required int Succeeded { get; init; }

    /// <summary>Jobs running at more crashes than <c>MaxJobRestarts</c> allows: failed on purpose with <c>RestartLimitReached</c>.</summary>
    public required int GaveUpAtRestartLimit { get; init; }

    /// <summary>Jobs that failed otherwise; the sample's scripts used here never fail, so each one is a fault.</summary>
    public required int OtherwiseFailed { get; init; }

    public required int LeftUnfinished { get; init; }

    /// <summary>Jobs re-queued after a crash caught them running (<c>restart_count &gt; 0</c>): they started more than once.</summary>
    public required int RunAgainAfterCrash { get; init; }

    public required int AcknowledgedRunAgainAfterCrash { get; init; }

    /// <summary>Each job, acknowledged or not, without its <c>jobs.run.script</c> audit entry: the job and its entry are one commit, so any one fails the run.</summary>
    public required IReadOnlyList<string> WithoutAuditEntry { get; init; }

    /// <summary>Each acknowledged job that has no row, or no <c>jobs.run.script</c> audit entry.</summary>
    public required IReadOnlyList<string> Lost { get; init; }

    /// <summary>Each acknowledged job that did not end in success (other than failing on purpose at the restart limit).</summary>
    public required IReadOnlyList<string> AcknowledgedNotCompleted { get; init; }

    /// <summary>Each acknowledged async job whose result was known in advance (a flow's) and that succeeded with another one.</summary>
    public required IReadOnlyList<string> WrongResults { get; init; }

    /// <summary>The jobs' lease histories: whether each completed exactly once per lease, and where reclaimed jobs ran next.</summary>
    public required LeaseFindings Leases { get; init; }

    /// <summary>The flows' step histories: whether any step ran again once it had succeeded (none without <c>--flows</c>).</summary>
    public required FlowFindings Flows { get; init; }
}
