using Microsoft.Data.Sqlite;

namespace Windmill.Webhooks.CrashTest;

/// <summary>Reads the sample's SQLite file directly (tables <c>job</c> and <c>audit</c>) and checks the acknowledgements against it.</summary>
internal static class DatabaseVerifier
{
    private static readonly string[] Unfinished = ["queued", "running"];

    /// <summary>How many jobs are still queued or running.</summary>
    public static long CountUnfinishedJobs(string databasePath)
    {
        using var connection = Open(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM job WHERE status IN ('queued', 'running')";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Polls (the tool may) until no job is queued or running, or <paramref name="timeout"/> passes; returns how many are left.</summary>
    public static async Task<long> WaitUntilDrainedAsync(string databasePath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var left = CountUnfinishedJobs(databasePath);
        while (left > 0 && !deadline.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }

            left = CountUnfinishedJobs(databasePath);
        }

        return left;
    }

    public static DatabaseFindings Verify(string databasePath, Acknowledgements acknowledgements)
    {
        using var connection = Open(databasePath);
        var integrity = string.Join("; ", ReadColumn(connection, "PRAGMA integrity_check", reader => reader.GetString(0)));

        var jobs = ReadColumn(connection, """
            SELECT id, status, restart_count, json_extract(args, '$.nonce'), json_extract(result, '$.error.name') FROM job
            """,
            reader => new StoredJob(Guid.Parse(reader.GetString(0)), reader.GetString(1), reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)))
            .ToDictionary(job => job.Id);
        var audited = ReadColumn(connection, "SELECT json_extract(parameters, '$.uuid') FROM audit WHERE operation = 'jobs.run.script'",
                reader => reader.IsDBNull(0) ? Guid.Empty : Guid.Parse(reader.GetString(0)))
            .ToHashSet();
        var jobsByNonce = jobs.Values.Where(job => job.Nonce is not null).ToLookup(job => job.Nonce!);

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

        lost.AddRange(acknowledgedJobs.Where(job => !audited.Contains(job.Id)).Select(job => $"job {job.Id}: no jobs.run.script audit entry"));
        var notCompleted = acknowledgedJobs.Where(job => job.Status != "success" && job.ErrorName != "RestartLimitReached")
            .Select(job => $"job {job.Id}: acknowledged, {job.Status} ({job.ErrorName ?? "no error"})")
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
            WithoutAuditEntry = jobs.Values.Count(job => !audited.Contains(job.Id)),
            Lost = lost,
            AcknowledgedNotCompleted = notCompleted,
        };
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
    private static SqliteConnection Open(string databasePath)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false, Mode = SqliteOpenMode.ReadWrite }.ToString());
        connection.Open();
        return connection;
    }

    private sealed record StoredJob(Guid Id, string Status, int RestartCount, string? Nonce, string? ErrorName);
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

    /// <summary>Jobs whose audit entry is missing: only allowed for requests that were never acknowledged (killed between the two commits).</summary>
    public required int WithoutAuditEntry { get; init; }

    /// <summary>Each acknowledged job that has no row, or no <c>jobs.run.script</c> audit entry.</summary>
    public required IReadOnlyList<string> Lost { get; init; }

    /// <summary>Each acknowledged job that did not end in success (other than failing on purpose at the restart limit).</summary>
    public required IReadOnlyList<string> AcknowledgedNotCompleted { get; init; }
}
