using System.Data.Common;
using System.Text;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;

using static Windmill.Webhooks.Storage.Rows;

namespace Windmill.Webhooks.Storage;

/// <summary>
/// The <c>job</c> table as the SQL stores share it (SQLite here, PostgreSQL in its package): the columns a job is read from,
/// the WHERE clause of a <see cref="JobQuery"/>, and the mapping of a row. The SQL is the dialect both understand (named
/// <c>@</c> parameters, <c>substr</c>, <c>TRUE</c>/<c>FALSE</c>); instants are UTC ticks in both.
/// </summary>
internal static class JobRows
{
    public const string Columns = """
        id, workspace_id, kind, script_path, script_hash, language, args, created_by, permissioned_as, created_at, scheduled_for,
        started_at, completed_at, status, result, logs, parent_job, trigger_kind, tag, canceled_by, canceled_reason, restart_count,
        root_job, visible_to_owner, raw_code, flow_step, pending_children, timeout_ms, trace_parent, flow_status
        """;

    // What a list reads: args, result and logs only when asked for, so a page of large jobs is never loaded to be dropped.
    public const string ListColumns = """
        id, workspace_id, kind, script_path, script_hash, language, CASE WHEN @withArgs THEN args ELSE '{}' END, created_by, permissioned_as,
        created_at, scheduled_for, started_at, completed_at, status, CASE WHEN @withOutput THEN result END, CASE WHEN @withOutput THEN logs END,
        parent_job, trigger_kind, tag, canceled_by, canceled_reason, restart_count, root_job, visible_to_owner, raw_code, flow_step, pending_children,
        timeout_ms, trace_parent, CASE WHEN @withOutput THEN flow_status END
        """;

    /// <summary>A status as stored.</summary>
    public static string Name(JobStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>A kind as stored.</summary>
    public static string Name(JobKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>
    /// The WHERE clause of <paramref name="query"/> and its parameters (named without their <c>@</c>); every value is a
    /// parameter, only fixed SQL is concatenated. <paramref name="id"/> turns a job id into the store's column value.
    /// </summary>
    public static (string Where, List<(string Name, object? Value)> Parameters) Filter(JobQuery query, Func<Guid, object> id)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(id);
        var sql = new StringBuilder("workspace_id = @ws");
        var parameters = new List<(string, object?)> { ("ws", query.Workspace) };
        void Add(string condition, string name, object? value)
        {
            sql.Append(" AND ").Append(condition);
            parameters.Add((name, value));
        }

        void AddList(string column, string name, IEnumerable<string> values)
        {
            var list = values.ToList();
            sql.Append(" AND ").Append(column).Append(" IN (").AppendJoin(", ", list.Select((_, i) => $"@{name}{i}")).Append(')');
            parameters.AddRange(list.Select((v, i) => ($"{name}{i}", (object?)v)));
        }

        if (query.ScriptPath is not null)
        {
            Add("script_path = @path", "path", query.ScriptPath);
        }

        if (query.ScriptPathStart is not null)
        {
            // substr, not LIKE: a path may hold '%' or '_'.
            Add("substr(script_path, 1, length(@pathStart)) = @pathStart", "pathStart", query.ScriptPathStart);
        }

        if (query.CreatedBy is not null)
        {
            Add("created_by = @by", "by", query.CreatedBy);
        }

        if (query.ParentJob is { } parent)
        {
            Add("parent_job = @parent", "parent", id(parent));
        }

        if (query.CreatedBefore is { } before)
        {
            Add("created_at < @createdBefore", "createdBefore", before.UtcTicks);
        }

        if (query.CreatedAfter is { } after)
        {
            Add("created_at > @createdAfter", "createdAfter", after.UtcTicks);
        }

        if (query.ScheduledBefore is { } due)
        {
            Add("scheduled_for <= @due", "due", due.UtcTicks);
        }

        if (query.VisibleTo is { } viewer)
        {
            // Job.IsVisibleTo: run with the viewer's rights, or of the viewer's own script unless invisible to its owner.
            sql.Append(" AND (permissioned_as = @viewerAs OR (visible_to_owner = TRUE AND substr(script_path, 1, length(@viewerPath)) = @viewerPath))");
            parameters.Add(("viewerAs", "u/" + viewer));
            parameters.Add(("viewerPath", "u/" + viewer + "/"));
        }

        if (query.Statuses is { Count: > 0 } statuses)
        {
            AddList("status", "status", statuses.Select(Name));
        }

        if (query.Kinds is { Count: 0 })
        {
            sql.Append(" AND FALSE"); // asked for kinds none of which exists here
        }
        else if (query.Kinds is { } kinds)
        {
            AddList("kind", "kind", kinds.Select(Name));
        }

        return (sql.ToString(), parameters);
    }

    /// <summary>A job from a row of <see cref="Columns"/> or <see cref="ListColumns"/>.</summary>
    public static Job Read(DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new()
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
            Result = reader.IsDBNull(14) ? null : Json(reader, 14),
            Logs = NullableString(reader, 15),
            ParentJob = reader.IsDBNull(16) ? null : reader.GetGuid(16),
            TriggerKind = NullableString(reader, 17),
            Tag = reader.GetString(18),
            CanceledBy = NullableString(reader, 19),
            CanceledReason = NullableString(reader, 20),
            RestartCount = reader.GetInt32(21),
            RootJob = reader.IsDBNull(22) ? null : reader.GetGuid(22),
            VisibleToOwner = reader.GetBoolean(23),
            IsFlowStep = reader.GetBoolean(25),
            PendingChildren = reader.GetInt32(26),
            Timeout = reader.IsDBNull(27) ? null : TimeSpan.FromMilliseconds(reader.GetInt64(27)),
            TraceParent = NullableString(reader, 28),
            FlowStatus = reader.IsDBNull(29) ? null : Json(reader, 29),
        };
    }
}
