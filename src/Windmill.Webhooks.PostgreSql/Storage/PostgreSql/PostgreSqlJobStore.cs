using System.Text;
using System.Text.Json;
using Npgsql;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using static Windmill.Webhooks.Storage.JobRows;
using static Windmill.Webhooks.Storage.PostgreSql.PostgreSqlValues;

namespace Windmill.Webhooks.Storage.PostgreSql;

/// <summary>
/// The PostgreSQL <see cref="IJobStore"/>: Windmill's own queue design. Runners claim due jobs in batches with
/// <c>FOR UPDATE SKIP LOCKED</c>, so claims by many processes never wait for each other nor take one job twice; every other
/// change is one transaction guarded by the lease owner, so a runner that lost its lease changes nothing.
/// </summary>
public sealed class PostgreSqlJobStore : IJobStore
{
    private readonly PostgreSqlDatabase _database;
    private readonly string _s;
    private readonly string _insertSql;
    private readonly string _claimSql;
    private readonly string _completeSql;
    private readonly string _resumeParentSql;

    /// <summary>Creates the store over <paramref name="database"/>.</summary>
    public PostgreSqlJobStore(PostgreSqlDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _s = database.Schema;
        _insertSql = $"""
            INSERT INTO {_s}.job (id, workspace_id, kind, script_path, script_hash, language, args, created_by, permissioned_as, created_at, scheduled_for,
                started_at, status, parent_job, trigger_kind, tag, root_job, visible_to_owner, raw_code, flow_step, lease_owner, lease_until, timeout_ms,
                trace_parent)
            VALUES (@id, @ws, @kind, @path, @hash, @language, @args, @by, @as, @created, @scheduled,
                @started, @status, @parent, @trigger, @tag, @root, @visible, @code, @step, @owner, @until, @timeout, @trace)
            """;

        // SKIP LOCKED: rows another runner is claiming right now are passed over, not waited for.
        _claimSql = $"""
            UPDATE {_s}.job SET status = 'running', started_at = @now, lease_owner = @owner, lease_until = @until
            WHERE id IN (SELECT id FROM {_s}.job WHERE status = 'queued' AND pending_children = 0 AND scheduled_for <= @now
                         ORDER BY scheduled_for, id LIMIT @max FOR UPDATE SKIP LOCKED)
            RETURNING {Columns}
            """;
        _completeSql = $"""
            UPDATE {_s}.job SET status = @status, result = @result, logs = @logs, completed_at = @at, canceled_by = @by, canceled_reason = @reason,
                flow_status = COALESCE(@flow::text, flow_status), lease_owner = NULL, lease_until = NULL
            WHERE id = @id AND status = 'running' AND lease_owner = @owner
            """;
        _resumeParentSql = $"UPDATE {_s}.job SET pending_children = pending_children - 1 WHERE id = @parent AND pending_children > 0";
    }

    /// <inheritdoc />
    public bool CommitsWith(IAuditSink audit) => audit is PostgreSqlAuditSink sink && sink.Database == _database;

    /// <inheritdoc />
    public async ValueTask EnqueueAsync(Job job, JobLease? lease, AuditEntry? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        await _database.WriteAsync(async (connection, transaction) =>
        {
            // One round trip for the job and its audit entry (the transaction's BEGIN rides along), then the commit.
            await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { InsertCommand(job, lease) } };
            if (audit is not null)
            {
                batch.BatchCommands.Add(PostgreSqlAuditSink.InsertCommand(_s, audit));
            }

            await ExecuteInsertsAsync(batch, [job], cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<Job>> ClaimAsync(JobLease lease, int max, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return _database.WriteAsync<IReadOnlyList<Job>>(async (connection, transaction) =>
        {
            await using var claim = connection.Command(_claimSql, transaction,
                ("now", ToDb(now)), ("owner", lease.Owner), ("until", ToDb(lease.Until)), ("max", max));
            var claimed = await ReadAllAsync(claim, cancellationToken).ConfigureAwait(false);
            claimed.Sort((a, b) => a.ScheduledFor != b.ScheduledFor ? a.ScheduledFor.CompareTo(b.ScheduledFor) : a.Id.CompareTo(b.Id));
            return claimed;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<Guid>> RenewAsync(JobLease lease, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(ids);
        return _database.WriteAsync<IReadOnlyList<Guid>>(async (connection, transaction) =>
        {
            await using var renew = connection.Command(
                $"UPDATE {_s}.job SET lease_until = @until WHERE id = ANY(@ids) AND status = 'running' AND lease_owner = @owner RETURNING id", transaction,
                ("until", ToDb(lease.Until)), ("ids", ids.ToArray()), ("owner", lease.Owner));
            var held = new HashSet<Guid>();
            var reader = await renew.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    held.Add(reader.GetGuid(0));
                }
            }

            return ids.Where(id => !held.Contains(id)).ToList();
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<bool>> CompleteAsync(string owner, IReadOnlyList<JobCompletion> completions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completions);

        // Parents are locked in one order by every runner, so two batches resuming the same parents cannot deadlock.
        var order = Enumerable.Range(0, completions.Count).OrderBy(i => completions[i].ResumesParent ?? Guid.Empty).ToArray();
        return _database.WriteAsync<IReadOnlyList<bool>>(async (connection, transaction) =>
        {
            var applied = new bool[completions.Count];
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var i in order)
            {
                var c = completions[i];
                batch.BatchCommands.Add(BatchCommand(_completeSql,
                    ("status", Name(c.Status)), ("result", c.Result.GetRawText()), ("logs", c.Logs), ("at", ToDb(c.CompletedAt)),
                    ("by", c.CanceledBy), ("reason", c.CanceledReason), ("flow", c.FlowStatus?.GetRawText()), ("id", c.Id), ("owner", owner)));
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            var parents = new List<Guid>();
            for (var k = 0; k < order.Length; k++)
            {
                var i = order[k];
                applied[i] = batch.BatchCommands[k].RecordsAffected == 1;
                if (applied[i] && completions[i].ResumesParent is { } parent)
                {
                    parents.Add(parent);
                }
            }

            foreach (var parent in parents)
            {
                await using var resume = connection.Command(_resumeParentSql, transaction, ("parent", parent));
                await resume.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return applied;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<bool> SuspendAsync(string owner, Guid id, JsonElement? flowStatus, IReadOnlyList<Job> children, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(children);
        return _database.WriteAsync(async (connection, transaction) =>
        {
            await using (var suspend = connection.Command($"""
                UPDATE {_s}.job SET status = 'queued', started_at = NULL, pending_children = @children, flow_status = COALESCE(@flow::text, flow_status),
                    lease_owner = NULL, lease_until = NULL
                WHERE id = @id AND status = 'running' AND lease_owner = @owner
                """, transaction, ("children", children.Count), ("flow", flowStatus?.GetRawText()), ("id", id), ("owner", owner)))
            {
                if (await suspend.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    return false;
                }
            }

            if (children.Count > 0)
            {
                await using var batch = new NpgsqlBatch(connection, transaction);
                foreach (var child in children)
                {
                    batch.BatchCommands.Add(InsertCommand(child, lease: null));
                }

                await ExecuteInsertsAsync(batch, children, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask ReleaseAsync(string owner, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        await _database.WriteAsync(async (connection, transaction) =>
        {
            await using var release = connection.Command($"""
                UPDATE {_s}.job SET status = 'queued', started_at = NULL, lease_owner = NULL, lease_until = NULL
                WHERE id = ANY(@ids) AND status = 'running' AND lease_owner = @owner
                """, transaction, ("ids", ids.ToArray()), ("owner", owner));
            return await release.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<ReclaimedJobs> ReclaimExpiredAsync(DateTimeOffset now, int maxRestarts, JsonElement restartLimitError,
        CancellationToken cancellationToken) =>
        _database.WriteAsync(async (connection, transaction) =>
        {
            // Concurrent reclaims by several processes: the row locks make each expired job reclaimed by exactly one of them
            // (the other's UPDATE re-checks the row after the first commits and finds it no longer expired).
            List<Job> failed;
            await using (var fail = connection.Command($"""
                UPDATE {_s}.job SET status = 'failure', result = @error, completed_at = @now, lease_owner = NULL, lease_until = NULL
                WHERE status = 'running' AND lease_until < @now AND restart_count >= @max
                RETURNING {Columns}
                """, transaction, ("error", restartLimitError.GetRawText()), ("now", ToDb(now)), ("max", maxRestarts)))
            {
                failed = await ReadAllAsync(fail, cancellationToken).ConfigureAwait(false);
            }

            foreach (var step in failed.Where(j => j is { IsFlowStep: true, ParentJob: not null }).OrderBy(j => j.ParentJob))
            {
                await using var resume = connection.Command(_resumeParentSql, transaction, ("parent", step.ParentJob!.Value));
                await resume.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using var requeue = connection.Command($"""
                UPDATE {_s}.job SET status = 'queued', started_at = NULL, lease_owner = NULL, lease_until = NULL, restart_count = restart_count + 1
                WHERE status = 'running' AND lease_until < @now
                """, transaction, ("now", ToDb(now)));
            return new ReclaimedJobs(await requeue.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false), failed);
        }, cancellationToken);

    /// <inheritdoc />
    public ValueTask<Job?> CancelAsync(JobCompletion cancellation, AuditEntry? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cancellation);
        return _database.WriteAsync(async (connection, transaction) =>
        {
            Job? canceled;
            await using (var cancel = connection.Command($"""
                UPDATE {_s}.job SET status = @status, result = @result, logs = @logs, completed_at = @at, canceled_by = @by, canceled_reason = @reason,
                    lease_owner = NULL, lease_until = NULL
                WHERE id = @id AND status IN ('queued', 'running')
                RETURNING {Columns}
                """, transaction, ("status", Name(cancellation.Status)), ("result", cancellation.Result.GetRawText()), ("logs", cancellation.Logs),
                ("at", ToDb(cancellation.CompletedAt)), ("by", cancellation.CanceledBy), ("reason", cancellation.CanceledReason),
                ("id", cancellation.Id)))
            {
                canceled = (await ReadAllAsync(cancel, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
            }

            if (canceled is null)
            {
                return null;
            }

            if (cancellation.ResumesParent is { } parent)
            {
                await using var resume = connection.Command(_resumeParentSql, transaction, ("parent", parent));
                await resume.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await PostgreSqlAuditSink.InsertAsync(connection, transaction, _s, audit, cancellationToken).ConfigureAwait(false);
            return canceled;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<DateTimeOffset?> NextScheduledAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await _database.QuerySingleAsync(
            $"SELECT min(scheduled_for) FROM {_s}.job WHERE status = 'queued' AND pending_children = 0 AND scheduled_for > @now",
            reader => NullableInstant(reader, 0), cancellationToken, ("now", ToDb(now))).ConfigureAwait(false);

    /// <inheritdoc />
    public ValueTask<Job?> GetAsync(Guid id, CancellationToken cancellationToken) =>
        _database.QuerySingleAsync($"SELECT {Columns} FROM {_s}.job WHERE id = @id", JobRows.Read, cancellationToken, ("id", id));

    /// <inheritdoc />
    public IAsyncEnumerable<Job> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        var (where, parameters) = JobRows.Filter(query, id => id);
        var order = query.OldestFirst ? "created_at, id" : "created_at DESC, id DESC";
        parameters.Add(("limit", query.Limit));
        parameters.Add(("offset", query.Offset));
        parameters.Add(("withArgs", query.IncludeArgs));
        parameters.Add(("withOutput", query.IncludeOutput));
        return _database.QueryAsync($"SELECT {ListColumns} FROM {_s}.job WHERE {where} ORDER BY {order} LIMIT @limit OFFSET @offset", JobRows.Read,
            cancellationToken, [.. parameters]);
    }

    /// <inheritdoc />
    public async ValueTask<long> CountAsync(JobQuery query, CancellationToken cancellationToken)
    {
        var (where, parameters) = JobRows.Filter(query, id => id);
        return await _database.QuerySingleAsync($"SELECT count(*) FROM {_s}.job WHERE {where}", reader => reader.GetInt64(0), cancellationToken,
            [.. parameters]).ConfigureAwait(false);
    }

    private NpgsqlBatchCommand InsertCommand(Job job, JobLease? lease)
    {
        var runnable = job.Runnable;
        return BatchCommand(_insertSql,
            ("id", job.Id), ("ws", job.Workspace), ("kind", Name(runnable.Kind)), ("path", runnable.Path), ("hash", runnable.Hash.Value),
            ("language", runnable.Language), ("args", job.Args.GetRawText()), ("by", job.CreatedBy), ("as", job.PermissionedAs),
            ("created", ToDb(job.CreatedAt)), ("scheduled", ToDb(job.ScheduledFor)), ("started", lease is null ? null : ToDb(job.StartedAt)),
            ("status", lease is null ? "queued" : "running"), ("parent", ToDb(job.ParentJob)), ("trigger", job.TriggerKind), ("tag", job.Tag),
            ("root", ToDb(job.RootJob)), ("visible", job.VisibleToOwner), ("code", runnable.RawCode), ("step", job.IsFlowStep),
            ("owner", lease?.Owner), ("until", lease is null ? null : ToDb(lease.Until)), ("timeout", ToDb(job.Timeout)), ("trace", job.TraceParent));
    }

    private static async Task ExecuteInsertsAsync(NpgsqlBatch batch, IReadOnlyList<Job> jobs, CancellationToken cancellationToken)
    {
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (PostgreSqlStorageFailures.IsUniqueViolation(e) && e.TableName == "job")
        {
            // The whole transaction rolls back. The failing statement names the id only in the detail: find it there.
            var taken = jobs.FirstOrDefault(j => e.Detail?.Contains(j.Id.ToString(), StringComparison.Ordinal) == true) ?? jobs[0];
            throw new DuplicateJobIdException(taken.Id);
        }
    }

    private static async Task<List<Job>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var jobs = new List<Job>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                jobs.Add(JobRows.Read(reader));
            }
        }

        return jobs;
    }
}
