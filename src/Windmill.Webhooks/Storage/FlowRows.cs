using System.Data.Common;
using System.Text;
using Windmill.Webhooks.Flows;

namespace Windmill.Webhooks.Storage;

/// <summary>
/// The <c>flow</c> and <c>flow_version</c> tables as the SQL stores share them: a flow row per path (whether it is archived)
/// and its versions, the newest being the highest id; the columns a version is read from, the list query of a
/// <see cref="FlowQuery"/> (in SQL that SQLite and PostgreSQL both read, with <c>@</c> parameters named without it) and the
/// mapping of a row.
/// </summary>
internal static class FlowRows
{
    public const string Columns =
        "v.workspace_id, v.path, v.id, v.summary, v.description, v.value, v.schema, v.created_by, v.created_at, v.deployment_msg, f.archived";

    /// <summary>The versions joined with their flow, from the tables of <paramref name="prefix"/> (a schema and a dot, or nothing).</summary>
    public static string FromVersions(string prefix) =>
        $"FROM {prefix}flow_version v JOIN {prefix}flow f ON f.workspace_id = v.workspace_id AND f.path = v.path";

    /// <summary>The newest version of each flow that <paramref name="query"/> selects, ordered by path (<paramref name="pathOrder"/>), one page.</summary>
    public static (string Sql, List<(string Name, object? Value)> Parameters) List(FlowQuery query, string prefix, string pathOrder)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = new StringBuilder($"""
            SELECT {Columns} {FromVersions(prefix)}
            WHERE v.workspace_id = @ws AND f.archived = @archived
              AND v.id = (SELECT max(l.id) FROM {prefix}flow_version l WHERE l.workspace_id = v.workspace_id AND l.path = v.path)
            """);
        var parameters = new List<(string, object?)>
        {
            ("ws", query.Workspace), ("archived", query.Archived), ("offset", query.Offset), ("limit", query.Limit),
        };
        if (query.PathStart is { } start)
        {
            sql.Append(" AND substr(v.path, 1, length(@start)) = @start");
            parameters.Add(("start", start));
        }

        if (query.PathExact is { } exact)
        {
            sql.Append(" AND v.path = @exact");
            parameters.Add(("exact", exact));
        }

        if (query.CreatedBy is { } createdBy)
        {
            sql.Append(" AND v.created_by = @by");
            parameters.Add(("by", createdBy));
        }

        sql.Append(" ORDER BY ").Append(pathOrder).Append(" LIMIT @limit OFFSET @offset");
        return (sql.ToString(), parameters);
    }

    /// <summary>The values of a new version's insert, named as its <c>@</c> parameters (<see cref="InsertVersion"/>).</summary>
    public static (string Name, object? Value)[] VersionValues(FlowVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return
        [
            ("ws", version.Workspace), ("path", version.Path), ("summary", version.Summary), ("description", version.Description),
            ("value", version.Value.GetRawText()), ("schema", version.Schema?.GetRawText()), ("by", version.CreatedBy),
            ("at", version.CreatedAt.UtcTicks), ("msg", version.DeploymentMessage),
        ];
    }

    /// <summary>The insert of a version into the table of <paramref name="prefix"/>, returning its id.</summary>
    public static string InsertVersion(string prefix) => $"""
        INSERT INTO {prefix}flow_version (workspace_id, path, summary, description, value, schema, created_by, created_at, deployment_msg)
        VALUES (@ws, @path, @summary, @description, @value, @schema, @by, @at, @msg) RETURNING id
        """;

    /// <summary>A version from a row of <see cref="Columns"/>.</summary>
    public static FlowVersion Read(DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new()
        {
            Workspace = reader.GetString(0),
            Path = reader.GetString(1),
            Id = reader.GetInt64(2),
            Summary = reader.GetString(3),
            Description = reader.GetString(4),
            Value = Rows.Json(reader, 5),
            Schema = reader.IsDBNull(6) ? null : Rows.Json(reader, 6),
            CreatedBy = reader.GetString(7),
            CreatedAt = Rows.Instant(reader, 8),
            DeploymentMessage = Rows.NullableString(reader, 9),
            Archived = reader.GetBoolean(10),
        };
    }
}
