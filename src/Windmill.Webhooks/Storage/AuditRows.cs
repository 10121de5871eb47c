using System.Data.Common;
using System.Text;
using System.Text.Json;
using Windmill.Webhooks.Audit;

namespace Windmill.Webhooks.Storage;

/// <summary>
/// The <c>audit</c> table as the SQL stores share it: its columns, the list query of an <see cref="AuditQuery"/> (in SQL that
/// SQLite and PostgreSQL both read, with <c>@</c> parameters named without it) and the mapping of a row.
/// </summary>
internal static class AuditRows
{
    public const string Columns = "id, workspace_id, \"timestamp\", username, operation, action_kind, resource, parameters";

    /// <summary>The entries of <paramref name="table"/> that <paramref name="query"/> selects, newest (highest id) first, one page.</summary>
    public static (string Sql, List<(string Name, object? Value)> Parameters) List(AuditQuery query, string table)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = new StringBuilder($"SELECT {Columns} FROM {table} WHERE workspace_id = @ws");
        var parameters = new List<(string, object?)> { ("ws", query.WorkspaceId), ("limit", query.Limit), ("offset", query.Offset) };
        void Filter(string condition, string name, object? value)
        {
            if (value is not null)
            {
                sql.Append(" AND ").Append(condition);
                parameters.Add((name, value));
            }
        }

        void FilterList(string condition, string name, IReadOnlyCollection<string>? values)
        {
            if (values is { Count: > 0 })
            {
                sql.Append(" AND ").Append(condition).Append(" (").AppendJoin(", ", values.Select((_, i) => $"@{name}{i}")).Append(')');
                parameters.AddRange(values.Select((v, i) => ($"{name}{i}", (object?)v)));
            }
        }

        Filter("username = @user", "user", query.Username);
        Filter("substr(operation, 1, length(@operation)) = @operation", "operation", query.Operation);
        FilterList("operation IN", "op", query.Operations);
        FilterList("operation NOT IN", "exclude", query.ExcludeOperations);
        Filter("substr(resource, 1, length(@resource)) = @resource", "resource", query.Resource);
        Filter("action_kind = @kind", "kind", query.ActionKind?.ToString());
        Filter("\"timestamp\" <= @before", "before", query.Before?.UtcTicks);
        Filter("\"timestamp\" > @after", "after", query.After?.UtcTicks);
        Filter("id < @beforeId", "beforeId", query.BeforeId);
        sql.Append(" ORDER BY id DESC LIMIT @limit OFFSET @offset");
        return (sql.ToString(), parameters);
    }

    /// <summary>An entry's parameters as stored.</summary>
    public static string? Parameters(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Parameters is null ? null : JsonSerializer.Serialize(entry.Parameters);
    }

    /// <summary>An entry from a row of <see cref="Columns"/>.</summary>
    public static AuditEntry Read(DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new()
        {
            Id = reader.GetInt64(0),
            WorkspaceId = reader.GetString(1),
            Timestamp = Rows.Instant(reader, 2),
            Username = reader.GetString(3),
            Operation = reader.GetString(4),
            ActionKind = Enum.Parse<AuditActionKind>(reader.GetString(5)),
            Resource = Rows.NullableString(reader, 6),
            Parameters = reader.IsDBNull(7) ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(7)),
        };
    }
}
