using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Windmill.Webhooks.Audit;
using static Windmill.Webhooks.Storage.Sqlite.SqliteValues;

namespace Windmill.Webhooks.Storage.Sqlite;

/// <summary>The SQLite <see cref="IAuditSink"/>, which can also read its entries back.</summary>
public sealed class SqliteAuditSink : IAuditSink, IAuditLogReader, IAuditLogRetention
{
    private const string Columns = "id, workspace_id, timestamp, username, operation, action_kind, resource, parameters";
    private readonly SqliteDatabase _database;

    /// <summary>Creates the sink over <paramref name="database"/>.</summary>
    public SqliteAuditSink(SqliteDatabase database) => _database = database;

    /// <summary>The database this sink writes to; job stores on it write trigger entries in their own commit.</summary>
    internal SqliteDatabase Database => _database;

    /// <inheritdoc />
    public async ValueTask WriteAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await _database.WriteAsync(connection => Insert(connection, entry), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Inserts <paramref name="entry"/> on the writer, inside the caller's commit.</summary>
    internal static int Insert(SqliteConnection connection, AuditEntry entry) =>
        connection.Prepared("""
            INSERT INTO audit (workspace_id, timestamp, username, operation, action_kind, resource, parameters)
            VALUES ($ws, $at, $user, $operation, $kind, $resource, $parameters)
            """,
            ("$ws", entry.WorkspaceId), ("$at", ToDb(entry.Timestamp)), ("$user", entry.Username), ("$operation", entry.Operation),
            ("$kind", entry.ActionKind.ToString()), ("$resource", entry.Resource),
            ("$parameters", entry.Parameters is null ? null : JsonSerializer.Serialize(entry.Parameters))).ExecuteNonQuery();

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = new StringBuilder($"SELECT {Columns} FROM audit WHERE workspace_id = $ws");
        var parameters = new List<(string, object?)> { ("$ws", query.WorkspaceId), ("$limit", query.Limit), ("$offset", query.Offset) };
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
                sql.Append(" AND ").Append(condition).Append(" (").AppendJoin(", ", values.Select((_, i) => $"{name}{i}")).Append(')');
                parameters.AddRange(values.Select((v, i) => ($"{name}{i}", (object?)v)));
            }
        }

        Filter("username = $user", "$user", query.Username);
        Filter("substr(operation, 1, length($operation)) = $operation", "$operation", query.Operation);
        FilterList("operation IN", "$op", query.Operations);
        FilterList("operation NOT IN", "$exclude", query.ExcludeOperations);
        Filter("substr(resource, 1, length($resource)) = $resource", "$resource", query.Resource);
        Filter("action_kind = $kind", "$kind", query.ActionKind?.ToString());
        Filter("timestamp <= $before", "$before", query.Before is { } before ? ToDb(before) : null);
        Filter("timestamp > $after", "$after", query.After is { } after ? ToDb(after) : null);
        Filter("id < $beforeId", "$beforeId", query.BeforeId);
        sql.Append(" ORDER BY id DESC LIMIT $limit OFFSET $offset");

        var entries = new List<AuditEntry>();
        await foreach (var entry in _database.QueryAsync(sql.ToString(), Read, cancellationToken, parameters.ToArray()).ConfigureAwait(false))
        {
            entries.Add(entry);
        }

        return entries;
    }

    /// <inheritdoc />
    public ValueTask<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        _database.WriteAsync(connection =>
        {
            using var delete = connection.Command("DELETE FROM audit WHERE timestamp < $cutoff", ("$cutoff", ToDb(cutoff)));
            return delete.ExecuteNonQuery();
        }, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AuditEntry?> GetAsync(string workspaceId, long id, CancellationToken cancellationToken) =>
        _database.QuerySingleAsync($"SELECT {Columns} FROM audit WHERE workspace_id = $ws AND id = $id", Read, cancellationToken,
            ("$ws", workspaceId), ("$id", id));

    private static AuditEntry Read(SqliteDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        WorkspaceId = reader.GetString(1),
        Timestamp = Instant(reader, 2),
        Username = reader.GetString(3),
        Operation = reader.GetString(4),
        ActionKind = Enum.Parse<AuditActionKind>(reader.GetString(5)),
        Resource = NullableString(reader, 6),
        Parameters = reader.IsDBNull(7) ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(7)),
    };
}
