using System.Text;
using Microsoft.Data.Sqlite;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using static Windmill.Webhooks.Storage.Sqlite.SqliteValues;

namespace Windmill.Webhooks.Storage.Sqlite;

/// <summary>The SQLite persistence of <see cref="LocalJobRunner"/>.</summary>
internal sealed class SqliteJobStore : IJobStore
{
    private const string Columns = """
        id, workspace_id, kind, script_path, script_hash, language, args, created_by, permissioned_as, created_at, scheduled_for,
        started_at, completed_at, status, result, logs, parent_job, trigger_kind, tag, canceled_by, canceled_reason, restart_count,
        root_job, visible_to_owner, timeout_ms
        """;

    private const string InsertSql = $"""
        INSERT INTO job ({Columns}) VALUES ($id, $ws, $kind, $path, $hash, $language, $args, $by, $as, $created, $scheduled,
            NULL, NULL, 'queued', NULL, NULL, $parent, $trigger, $tag, NULL, NULL, 0, $root, $visible, $timeout)
        """;

    private const string MarkRunningSql = $"UPDATE job SET status = 'running', started_at = $at WHERE id = $id AND status = 'queued' RETURNING {Columns}";

    private const string RequeueSql = "UPDATE job SET status = 'queued', started_at = NULL WHERE id = $id AND status = 'running'";

    private const string CompleteSql = $"""
        UPDATE job SET status = $status, result = $result, logs = $logs, completed_at = $at, canceled_by = $by, canceled_reason = $reason
        WHERE id = $id AND status IN ('queued', 'running') RETURNING {Columns}
        """;

    private readonly SqliteDatabase _database;

    public SqliteJobStore(SqliteDatabase database) => _database = database;

    // The hot writes run as prepared commands of the writer (SqliteConnectionExtensions.Prepared): not disposed here.
    public async ValueTask InsertAsync(Job job, CancellationToken cancellationToken)
    {
        await _database.WriteAsync(connection =>
        {
            var insert = connection.Prepared(InsertSql,
                ("$id", ToDb(job.Id)), ("$ws", job.Workspace), ("$kind", Name(job.Kind)), ("$path", job.ScriptPath), ("$hash", job.ScriptHash.Value),
                ("$language", job.Language), ("$args", job.Args.GetRawText()), ("$by", job.CreatedBy), ("$as", job.PermissionedAs),
                ("$created", ToDb(job.CreatedAt)), ("$scheduled", ToDb(job.ScheduledFor)), ("$parent", job.ParentJob is { } p ? ToDb(p) : null),
                ("$trigger", job.TriggerKind), ("$tag", job.Tag), ("$root", job.RootJob is { } r ? ToDb(r) : null),
                ("$visible", job.VisibleToOwner ? 1 : 0), ("$timeout", ToDb(job.Timeout)));
            try
            {
                return insert.ExecuteNonQuery();
            }
            catch (SqliteException e) when (e.IsConstraintViolation())
            {
                throw new DuplicateJobIdException(job.Id);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<Job?> GetAsync(Guid id, CancellationToken cancellationToken) =>
        _database.QuerySingleAsync($"SELECT {Columns} FROM job WHERE id = $id", Read, cancellationToken, ("$id", ToDb(id)));

    public ValueTask<Job?> MarkRunningAsync(Guid id, DateTimeOffset startedAt, CancellationToken cancellationToken) =>
        _database.WriteAsync(connection => ReadOne(connection.Prepared(MarkRunningSql, ("$at", ToDb(startedAt)), ("$id", ToDb(id)))), cancellationToken);

    public async ValueTask RequeueAsync(Guid id, CancellationToken cancellationToken) =>
        await _database.WriteAsync(connection => connection.Prepared(RequeueSql, ("$id", ToDb(id))).ExecuteNonQuery(), cancellationToken)
            .ConfigureAwait(false);

    public ValueTask<Job?> CompleteAsync(Guid id, JobCompletion completion, CancellationToken cancellationToken) =>
        _database.WriteAsync(connection => ReadOne(connection.Prepared(CompleteSql,
                ("$status", Name(completion.Status)), ("$result", completion.Result.GetRawText()), ("$logs", completion.Logs),
                ("$at", ToDb(completion.CompletedAt)), ("$by", completion.CanceledBy), ("$reason", completion.CanceledReason), ("$id", ToDb(id)))),
            cancellationToken);

    public ValueTask<IReadOnlyList<Job>> RecoverAsync(int maxRestarts, DateTimeOffset now, CancellationToken cancellationToken) =>
        _database.WriteAsync<IReadOnlyList<Job>>(connection =>
        {
            var error = JobErrors.Create("RestartLimitReached",
                $"The job was running when the process stopped, {maxRestarts + 1} times; it is not retried again.").GetRawText();
            using (var fail = connection.Command("""
                UPDATE job SET status = 'failure', result = $error, completed_at = $now
                WHERE status = 'running' AND restart_count >= $max
                """, ("$error", error), ("$now", ToDb(now)), ("$max", maxRestarts)))
            {
                fail.ExecuteNonQuery();
            }

            using (var requeue = connection.Command(
                "UPDATE job SET status = 'queued', started_at = NULL, restart_count = restart_count + 1 WHERE status = 'running'"))
            {
                requeue.ExecuteNonQuery();
            }

            using var queued = connection.Command($"SELECT {Columns} FROM job WHERE status = 'queued' ORDER BY created_at, id");
            using var reader = queued.ExecuteReader();
            var jobs = new List<Job>();
            while (reader.Read())
            {
                jobs.Add(Read(reader));
            }

            return jobs;
        }, cancellationToken);

    public IAsyncEnumerable<Job> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        var (where, parameters) = Filter(query);
        var order = query.OldestFirst ? "created_at, id" : "created_at DESC, id DESC";
        parameters.Add(("$limit", query.Limit));
        parameters.Add(("$offset", query.Offset));
        return _database.QueryAsync($"SELECT {Columns} FROM job WHERE {where} ORDER BY {order} LIMIT $limit OFFSET $offset", Read, cancellationToken,
            parameters.ToArray());
    }

    public async ValueTask<long> CountAsync(JobQuery query, CancellationToken cancellationToken)
    {
        var (where, parameters) = Filter(query);
        return await _database.QuerySingleAsync($"SELECT COUNT(*) FROM job WHERE {where}", reader => reader.GetInt64(0), cancellationToken,
            parameters.ToArray()).ConfigureAwait(false);
    }

    // The WHERE clause of a query; every value is a parameter, only fixed SQL is concatenated.
    private static (string Where, List<(string, object?)> Parameters) Filter(JobQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = new StringBuilder("workspace_id = $ws");
        var parameters = new List<(string, object?)> { ("$ws", query.Workspace) };
        void Add(string condition, string name, object? value)
        {
            sql.Append(" AND ").Append(condition);
            parameters.Add((name, value));
        }

        if (query.ScriptPath is not null)
        {
            Add("script_path = $path", "$path", query.ScriptPath);
        }

        if (query.ScriptPathStart is not null)
        {
            // substr, not LIKE: a path may hold '%' or '_'.
            Add("substr(script_path, 1, length($pathStart)) = $pathStart", "$pathStart", query.ScriptPathStart);
        }

        if (query.CreatedBy is not null)
        {
            Add("created_by = $by", "$by", query.CreatedBy);
        }

        if (query.ParentJob is { } parent)
        {
            Add("parent_job = $parent", "$parent", ToDb(parent));
        }

        if (query.CreatedBefore is { } before)
        {
            Add("created_at < $createdBefore", "$createdBefore", ToDb(before));
        }

        if (query.CreatedAfter is { } after)
        {
            Add("created_at > $createdAfter", "$createdAfter", ToDb(after));
        }

        if (query.ScheduledBefore is { } due)
        {
            Add("scheduled_for <= $due", "$due", ToDb(due));
        }

        if (query.Statuses is { Count: > 0 } statuses)
        {
            sql.Append(" AND status IN (").AppendJoin(", ", statuses.Select((_, i) => $"$status{i}")).Append(')');
            parameters.AddRange(statuses.Select((s, i) => ($"$status{i}", (object?)Name(s))));
        }

        if (query.Kinds is { Count: 0 })
        {
            sql.Append(" AND 0"); // asked for kinds none of which exists here
        }
        else if (query.Kinds is { } kinds)
        {
            sql.Append(" AND kind IN (").AppendJoin(", ", kinds.Select((_, i) => $"$kind{i}")).Append(')');
            parameters.AddRange(kinds.Select((k, i) => ($"$kind{i}", (object?)Name(k))));
        }

        return (sql.ToString(), parameters);
    }

    private static Job? ReadOne(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    private static string Name(JobStatus status) => status.ToString().ToLowerInvariant();

    private static string Name(JobKind kind) => kind.ToString().ToLowerInvariant();

    private static Job Read(SqliteDataReader reader) => new()
    {
        Id = reader.GetGuid(0),
        Workspace = reader.GetString(1),
        Kind = Enum.Parse<JobKind>(reader.GetString(2), ignoreCase: true),
        ScriptPath = reader.GetString(3),
        ScriptHash = new ScriptHash(reader.GetInt64(4)),
        Language = NullableString(reader, 5),
        Args = Json(reader, 6),
        CreatedBy = reader.GetString(7),
        PermissionedAs = reader.GetString(8),
        CreatedAt = Instant(reader, 9),
        ScheduledFor = Instant(reader, 10),
        StartedAt = NullableInstant(reader, 11),
        CompletedAt = NullableInstant(reader, 12),
        Status = Enum.Parse<JobStatus>(reader.GetString(13), ignoreCase: true),
        Result = NullableJson(reader, 14),
        Logs = NullableString(reader, 15),
        ParentJob = NullableGuid(reader, 16),
        TriggerKind = NullableString(reader, 17),
        Tag = reader.GetString(18),
        CanceledBy = NullableString(reader, 19),
        CanceledReason = NullableString(reader, 20),
        RestartCount = reader.GetInt32(21),
        RootJob = NullableGuid(reader, 22),
        VisibleToOwner = reader.GetInt64(23) != 0,
        Timeout = NullableDuration(reader, 24),
    };
}
