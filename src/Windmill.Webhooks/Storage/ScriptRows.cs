using System.Data.Common;
using System.Text;
using System.Text.Json;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Storage;

/// <summary>
/// The <c>script</c> table as the SQL stores share it: its columns, the list query of a <see cref="ScriptQuery"/> (in SQL that
/// SQLite and PostgreSQL both read, with <c>@</c> parameters named without it) and the mapping of a row.
/// </summary>
internal static class ScriptRows
{
    public const string Columns =
        "workspace_id, hash, path, parent_hash, language, content, summary, description, schema, created_by, created_at, archived, timeout_ms, compiled_code";

    /// <summary>The order that puts a path's head (its newest version) first; <paramref name="rowId"/> breaks ties of one instant.</summary>
    public static string HeadOrder(string rowId) => $"ORDER BY created_at DESC, {rowId} DESC LIMIT 1";

    /// <summary>
    /// The newest version of each path that <paramref name="query"/> selects (the head, or with <see cref="ScriptQuery.Archived"/>
    /// the newest of a path that has no head), ordered by path, one page; <paramref name="table"/> is the table's full name and
    /// <paramref name="rowId"/> its insertion-order column, <paramref name="pathOrder"/> how paths sort (byte order in both stores).
    /// </summary>
    public static (string Sql, List<(string Name, object? Value)> Parameters) List(ScriptQuery query, string table, string rowId, string pathOrder)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = new StringBuilder($"""
            SELECT {Columns} FROM {table} s
            WHERE workspace_id = @ws
              AND {rowId} = (SELECT {rowId} FROM {table} l WHERE l.workspace_id = s.workspace_id AND l.path = s.path
                           {(query.Archived ? "" : "AND l.archived = FALSE")} {HeadOrder(rowId)})
            """);
        var parameters = new List<(string, object?)> { ("ws", query.Workspace), ("offset", query.Offset), ("limit", query.Limit) };
        sql.Append(query.Archived ? " AND archived = TRUE" : " AND archived = FALSE");
        if (query.PathStart is { } start)
        {
            sql.Append(" AND substr(path, 1, length(@start)) = @start");
            parameters.Add(("start", start));
        }

        if (query.PathExact is { } exact)
        {
            sql.Append(" AND path = @exact");
            parameters.Add(("exact", exact));
        }

        if (query.CreatedBy is { } createdBy)
        {
            sql.Append(" AND created_by = @by");
            parameters.Add(("by", createdBy));
        }

        if (query.Languages is { Count: > 0 } languages)
        {
            sql.Append(" AND language IN (").AppendJoin(", ", languages.Select((_, i) => $"@language{i}")).Append(')');
            parameters.AddRange(languages.Select((language, i) => ($"language{i}", (object?)language)));
        }

        sql.Append(" ORDER BY ").Append(pathOrder).Append(" LIMIT @limit OFFSET @offset");
        return (sql.ToString(), parameters);
    }

    /// <summary>A version from a row of <see cref="Columns"/>.</summary>
    public static ScriptVersion Read(DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new()
        {
            Workspace = reader.GetString(0),
            Hash = new ScriptHash(reader.GetInt64(1)),
            Path = reader.GetString(2),
            ParentHash = reader.IsDBNull(3) ? null : new ScriptHash(reader.GetInt64(3)),
            Language = reader.GetString(4),
            Content = reader.GetString(5),
            Summary = reader.GetString(6),
            Description = reader.GetString(7),
            Schema = reader.IsDBNull(8) ? null : Rows.Json(reader, 8),
            CreatedBy = reader.GetString(9),
            CreatedAt = Rows.Instant(reader, 10),
            Archived = reader.GetBoolean(11),
            Timeout = reader.IsDBNull(12) ? null : TimeSpan.FromMilliseconds(reader.GetInt64(12)),
            CompiledCode = reader.IsDBNull(13) ? null : reader.GetString(13),
        };
    }
}
