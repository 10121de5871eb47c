using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using static Windmill.Webhooks.Storage.Sqlite.SqliteValues;

namespace Windmill.Webhooks.Storage.Sqlite;

/// <summary>
/// The SQLite <see cref="IJobStore"/>. Every change is one write of the database's group commit; processes
/// sharing the file take turns on SQLite's write lock, so a claim by one is seen by the others.
/// </summary>
public sealed class SqliteJobStore : IJobStore
{
    private const string Columns = """
        id, workspace_id, kind, script_path, script_hash, language, args, created_by, permissioned_as, created_at, scheduled_for,
        started_at, completed_at, status, result, logs, parent_job, trigger_kind, tag, canceled_by, canceled_reason, restart_count,
        root_job, visible_to_owner, raw_code, flow_step, pending_children, timeout_ms, trace_parent, flow_status
        """;

    // What a list reads: args, result and logs only when asked for, so a page of large jobs is never loaded to be dropped.
    private const string ListColumns = """
        id, workspace_id, kind, script_path, script_hash, language, CASE WHEN $withArgs THEN args ELSE '{}' END, created_by, permissioned_as,
        created_at, scheduled_for, started_at, completed_at, status, CASE WHEN $withOutput THEN result END, CASE WHEN $withOutput THEN logs END,
        parent_job, trigger_kind, tag, canceled_by, canceled_reason, restart_count, root_job, visible_to_owner, raw_code, flow_step, pending_children, timeout_ms,
        trace_parent, CASE WHEN $withOutput THEN flow_status END
        """;

    private const string InsertSql = """
        INSERT INTO job (id, workspace_id, kind, script_path, script_hash, language, args, created_by, permissioned_as, created_at, scheduled_for,
            started_at, status, parent_job, trigger_kind, tag, root_job, visible_to_owner, raw_code, flow_step, lease_owner, lease_until, timeout_ms,
            trace_parent)
        VALUES ($id, $ws, $kind, $path, $hash, $language, $args, $by, $as, $created, $scheduled,
            $started, $status, $parent, $trigger, $tag, $root, $visible, $code, $step, $owner, $until, $timeout, $trace)
        """;

    private const string ClaimSql = $"""
        UPDATE job SET status = 'running', started_at = $now, lease_owner = $owner, lease_until = $until
        WHERE id IN (SELECT id FROM job WHERE status = 'queued' AND pending_children = 0 AND scheduled_for <= $now
                     ORDER BY scheduled_for, id LIMIT $max)
        RETURNING {Columns}
        """;

    private const string RenewSql = "UPDATE job SET lease_until = $until WHERE id = $id AND status = 'running' AND lease_owner = $owner";

    private const string CompleteSql = """
        UPDATE job SET status = $status, result = $result, logs = $logs, completed_at = $at, canceled_by = $by, canceled_reason = $reason,
            flow_status = COALESCE($flow, flow_status), lease_owner = NULL, lease_until = NULL
        WHERE id = $id AND status = 'running' AND lease_owner = $owner
        """;

    private const string ResumeParentSql = "UPDATE job SET pending_children = pending_children - 1 WHERE id = $id AND pending_children > 0";

    private const string ReleaseSql = """
        UPDATE job SET status = 'queued', started_at = NULL, lease_owner = NULL, lease_until = NULL
        WHERE id = $id AND status = 'running' AND lease_owner = $owner
        """;

    private readonly SqliteDatabase _database;

    /// <summary>Creates the store over <paramref name="database"/>.</summary>
    public SqliteJobStore(SqliteDatabase database) => _database = database;

    /// <inheritdoc />
    public bool CommitsWith(IAuditSink audit) => audit is SqliteAuditSink sink && sink.Database == _database;

    // The hot writes run as prepared commands of the writer (SqliteConnectionExtensions.Prepared): not disposed here.
    /// <inheritdoc />
    public async ValueTask EnqueueAsync(Job job, JobLease? lease, AuditEntry? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        await _database.WriteAsync(connection =>
        {
            try
            {
                Insert(connection, job, lease);
            }
            catch (SqliteException e) when (e.IsConstraintViolation())
            {
                throw new DuplicateJobIdException(job.Id);
            }

            return audit is null ? 0 : SqliteAuditSink.Insert(connection, audit);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<Job>> ClaimAsync(JobLease lease, int max, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return _database.WriteAsync<IReadOnlyList<Job>>(connection =>
        {
            var claimed = ReadAll(connection.Prepared(ClaimSql, ("$now", ToDb(now)), ("$owner", lease.Owner), ("$until", ToDb(lease.Until)), ("$max", max)));
            claimed.Sort((a, b) => a.ScheduledFor != b.ScheduledFor ? a.ScheduledFor.CompareTo(b.ScheduledFor) : a.Id.CompareTo(b.Id));
            return claimed;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<Guid>> RenewAsync(JobLease lease, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(ids);
        return _database.WriteAsync<IReadOnlyList<Guid>>(connection => ids
            .Where(id => connection.Prepared(RenewSql, ("$until", ToDb(lease.Until)), ("$id", ToDb(id)), ("$owner", lease.Owner)).ExecuteNonQuery() == 0)
            .ToList(), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<bool>> CompleteAsync(string owner, IReadOnlyList<JobCompletion> completions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completions);
        return _database.WriteAsync<IReadOnlyList<bool>>(connection =>
        {
            var applied = new bool[completions.Count];
            for (var i = 0; i < completions.Count; i++)
            {
                var c = completions[i];
                applied[i] = connection.Prepared(CompleteSql,
                    ("$status", Name(c.Status)), ("$result", c.Result.GetRawText()), ("$logs", c.Logs), ("$at", ToDb(c.CompletedAt)),
                    ("$by", c.CanceledBy), ("$reason", c.CanceledReason), ("$flow", c.FlowStatus?.GetRawText()), ("$id", ToDb(c.Id)),
                    ("$owner", owner)).ExecuteNonQuery() == 1;
                if (applied[i] && c.ResumesParent is { } parent)
                {
                    connection.Prepared(ResumeParentSql, ("$id", ToDb(parent))).ExecuteNonQuery();
                }
            }

            return applied;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<bool> SuspendAsync(string owner, Guid id, JsonElement? flowStatus, IReadOnlyList<Job> children, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(children);
        return _database.WriteAsync(connection =>
        {
            using var suspend = connection.Command("""
                UPDATE job SET status = 'queued', started_at = NULL, pending_children = $children, flow_status = COALESCE($flow, flow_status),
                    lease_owner = NULL, lease_until = NULL
                WHERE id = $id AND status = 'running' AND lease_owner = $owner
                """, ("$children", children.Count), ("$flow", flowStatus?.GetRawText()), ("$id", ToDb(id)), ("$owner", owner));
            if (suspend.ExecuteNonQuery() == 0)
            {
                return false;
            }

            foreach (var child in children)
            {
                try
                {
                    Insert(connection, child, lease: null);
                }
                catch (SqliteException e) when (e.IsConstraintViolation())
                {
                    throw new DuplicateJobIdException(child.Id); // the whole suspension rolls back
                }
            }

            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask ReleaseAsync(string owner, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        await _database.WriteAsync(connection => ids.Sum(id => connection.Prepared(ReleaseSql, ("$id", ToDb(id)), ("$owner", owner)).ExecuteNonQuery()),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<ReclaimedJobs> ReclaimExpiredAsync(DateTimeOffset now, int maxRestarts, JsonElement restartLimitError,
        CancellationToken cancellationToken) =>
        _database.WriteAsync(connection =>
        {
            List<Job> failed;
            using (var fail = connection.Command($"""
                UPDATE job SET status = 'failure', result = $error, completed_at = $now, lease_owner = NULL, lease_until = NULL
                WHERE status = 'running' AND lease_until < $now AND restart_count >= $max
                RETURNING {Columns}
                """, ("$error", restartLimitError.GetRawText()), ("$now", ToDb(now)), ("$max", maxRestarts)))
            {
                failed = ReadAll(fail);
            }

            foreach (var step in failed.Where(j => j is { IsFlowStep: true, ParentJob: not null }))
            {
                connection.Prepared(ResumeParentSql, ("$id", ToDb(step.ParentJob!.Value))).ExecuteNonQuery();
            }

            using var requeue = connection.Command("""
                UPDATE job SET status = 'queued', started_at = NULL, lease_owner = NULL, lease_until = NULL, restart_count = restart_count + 1
                WHERE status = 'running' AND lease_until < $now
                """, ("$now", ToDb(now)));
            return new ReclaimedJobs(requeue.ExecuteNonQuery(), failed);
        }, cancellationToken);

    /// <inheritdoc />
    public ValueTask<Job?> CancelAsync(JobCompletion cancellation, AuditEntry? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cancellation);
        return _database.WriteAsync(connection =>
        {
            using var cancel = connection.Command($"""
                UPDATE job SET status = $status, result = $result, logs = $logs, completed_at = $at, canceled_by = $by, canceled_reason = $reason,
                    lease_owner = NULL, lease_until = NULL
                WHERE id = $id AND status IN ('queued', 'running')
                RETURNING {Columns}
                """, ("$status", Name(cancellation.Status)), ("$result", cancellation.Result.GetRawText()), ("$logs", cancellation.Logs),
                ("$at", ToDb(cancellation.CompletedAt)), ("$by", cancellation.CanceledBy), ("$reason", cancellation.CanceledReason),
                ("$id", ToDb(cancellation.Id)));
            var canceled = ReadAll(cancel).SingleOrDefault();
            if (canceled is null)
            {
                return null;
            }

            if (cancellation.ResumesParent is { } parent)
            {
                connection.Prepared(ResumeParentSql, ("$id", ToDb(parent))).ExecuteNonQuery();
            }

            if (audit is not null)
            {
                SqliteAuditSink.Insert(connection, audit);
            }

            return canceled;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<DateTimeOffset?> NextScheduledAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await _database.QuerySingleAsync(
            "SELECT MIN(scheduled_for) FROM job WHERE status = 'queued' AND pending_children = 0 AND scheduled_for > $now",
            reader => NullableInstant(reader, 0), cancellationToken, ("$now", ToDb(now))).ConfigureAwait(false);

    /// <inheritdoc />
    public ValueTask<Job?> GetAsync(Guid id, CancellationToken cancellationToken) =>
        _database.QuerySingleAsync($"SELECT {Columns} FROM job WHERE id = $id", Read, cancellationToken, ("$id", ToDb(id)));

    /// <inheritdoc />
    public IAsyncEnumerable<Job> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        var (where, parameters) = Filter(query);
        var order = query.OldestFirst ? "created_at, id" : "created_at DESC, id DESC";
        parameters.Add(("$limit", query.Limit));
        parameters.Add(("$offset", query.Offset));
        parameters.Add(("$withArgs", query.IncludeArgs));
        parameters.Add(("$withOutput", query.IncludeOutput));
        return _database.QueryAsync($"SELECT {ListColumns} FROM job WHERE {where} ORDER BY {order} LIMIT $limit OFFSET $offset", Read, cancellationToken,
            parameters.ToArray());
    }

    /// <inheritdoc />
    public async ValueTask<long> CountAsync(JobQuery query, CancellationToken cancellationToken)
    {
        var (where, parameters) = Filter(query);
        return await _database.QuerySingleAsync($"SELECT COUNT(*) FROM job WHERE {where}", reader => reader.GetInt64(0), cancellationToken,
            parameters.ToArray()).ConfigureAwait(false);
    }

    private static void Insert(SqliteConnection connection, Job job, JobLease? lease)
    {
        var runnable = job.Runnable;
        connection.Prepared(InsertSql,
            ("$id", ToDb(job.Id)), ("$ws", job.Workspace), ("$kind", Name(runnable.Kind)), ("$path", runnable.Path), ("$hash", runnable.Hash.Value),
            ("$language", runnable.Language), ("$args", job.Args.GetRawText()), ("$by", job.CreatedBy), ("$as", job.PermissionedAs),
            ("$created", ToDb(job.CreatedAt)), ("$scheduled", ToDb(job.ScheduledFor)), ("$started", lease is null ? null : ToDb(job.StartedAt)),
            ("$status", lease is null ? "queued" : "running"), ("$parent", job.ParentJob is { } p ? ToDb(p) : null),
            ("$trigger", job.TriggerKind), ("$tag", job.Tag), ("$root", job.RootJob is { } r ? ToDb(r) : null),
            ("$visible", job.VisibleToOwner ? 1 : 0), ("$code", runnable.RawCode), ("$step", job.IsFlowStep ? 1 : 0),
            ("$owner", lease?.Owner), ("$until", lease is null ? null : ToDb(lease.Until)), ("$timeout", ToDb(job.Timeout)),
            ("$trace", job.TraceParent)).ExecuteNonQuery();
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

        if (query.VisibleTo is { } viewer)
        {
            // Job.IsVisibleTo: run with the viewer's rights, or of the viewer's own script unless invisible to its owner.
            sql.Append(" AND (permissioned_as = $viewerAs OR (visible_to_owner = 1 AND substr(script_path, 1, length($viewerPath)) = $viewerPath))");
            parameters.Add(("$viewerAs", "u/" + viewer));
            parameters.Add(("$viewerPath", "u/" + viewer + "/"));
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

    private static List<Job> ReadAll(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var jobs = new List<Job>();
        while (reader.Read())
        {
            jobs.Add(Read(reader));
        }

        return jobs;
    }

    private static string Name(JobStatus status) => status.ToString().ToLowerInvariant();

    private static string Name(JobKind kind) => kind.ToString().ToLowerInvariant();

    private static Job Read(SqliteDataReader reader) => new()
    {
        Id = reader.GetGuid(0),
        Workspace = reader.GetString(1),
        Runnable = new(Enum.Parse<JobKind>(reader.GetString(2), ignoreCase: true), reader.GetString(3), new ScriptHash(reader.GetInt64(4)))
        {
            Language = NullableString(reader, 5),
            RawCode = NullableString(reader, 24),
        },
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
        IsFlowStep = reader.GetInt64(25) != 0,
        PendingChildren = reader.GetInt32(26),
        Timeout = NullableDuration(reader, 27),
        TraceParent = NullableString(reader, 28),
        FlowStatus = NullableJson(reader, 29),
    };
}
