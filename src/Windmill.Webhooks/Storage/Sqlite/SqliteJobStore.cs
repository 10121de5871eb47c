using System.Text.Json;
using Microsoft.Data.Sqlite;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using static Windmill.Webhooks.Storage.JobRows;
using static Windmill.Webhooks.Storage.Sqlite.SqliteValues;

namespace Windmill.Webhooks.Storage.Sqlite;

/// <summary>
/// The SQLite <see cref="IJobStore"/>. Every change is one write of the database's group commit; processes
/// sharing the file take turns on SQLite's write lock, so a claim by one is seen by the others.
/// </summary>
public sealed class SqliteJobStore : IJobStore
{
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
        var (where, parameters) = JobRows.Filter(query, id => ToDb(id));
        var order = query.OldestFirst ? "created_at, id" : "created_at DESC, id DESC";
        parameters.Add(("limit", query.Limit));
        parameters.Add(("offset", query.Offset));
        parameters.Add(("withArgs", query.IncludeArgs));
        parameters.Add(("withOutput", query.IncludeOutput));
        return _database.QueryAsync($"SELECT {ListColumns} FROM job WHERE {where} ORDER BY {order} LIMIT @limit OFFSET @offset", Read, cancellationToken,
            Named(parameters));
    }

    /// <inheritdoc />
    public async ValueTask<long> CountAsync(JobQuery query, CancellationToken cancellationToken)
    {
        var (where, parameters) = JobRows.Filter(query, id => ToDb(id));
        return await _database.QuerySingleAsync($"SELECT COUNT(*) FROM job WHERE {where}", reader => reader.GetInt64(0), cancellationToken,
            Named(parameters)).ConfigureAwait(false);
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

    // Microsoft.Data.Sqlite names parameters with their prefix.
    private static (string, object?)[] Named(List<(string Name, object? Value)> parameters) =>
        parameters.ConvertAll(p => ("@" + p.Name, p.Value)).ToArray();

    private static Job Read(SqliteDataReader reader) => JobRows.Read(reader);

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
}
