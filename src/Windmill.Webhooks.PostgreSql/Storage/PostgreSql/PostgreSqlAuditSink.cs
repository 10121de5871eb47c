using System.Text;
using System.Text.Json;
using Npgsql;
using Windmill.Webhooks.Audit;
using static Windmill.Webhooks.Storage.PostgreSql.PostgreSqlValues;

namespace Windmill.Webhooks.Storage.PostgreSql;

/// <summary>The PostgreSQL <see cref="IAuditSink"/>, which can also read its entries back and delete old ones.</summary>
public sealed class PostgreSqlAuditSink : IAuditSink, IAuditLogReader, IAuditLogRetention
{
    private const string Columns = "id, workspace_id, \"timestamp\", username, operation, action_kind, resource, parameters";
    private readonly PostgreSqlDatabase _database;
    private readonly string _s;

    /// <summary>Creates the sink over <paramref name="database"/>.</summary>
    public PostgreSqlAuditSink(PostgreSqlDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _s = database.Schema;
    }

    /// <summary>The database this sink writes to; stores on it write their entries in their own commit.</summary>
    internal PostgreSqlDatabase Database => _database;

    /// <inheritdoc />
    public async ValueTask WriteAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await _database.WriteAsync(async (connection, transaction) =>
        {
            await InsertAsync(connection, transaction, _s, entry, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Inserts <paramref name="entry"/>, when given, inside the caller's transaction.</summary>
    internal static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, AuditEntry? entry,
        CancellationToken cancellationToken)
    {
        if (entry is null)
        {
            return;
        }

        await using var insert = new NpgsqlBatch(connection, transaction) { BatchCommands = { InsertCommand(schema, entry) } };
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The insert of <paramref name="entry"/>, for a caller's batch (sent in the same round trip as its own statements).</summary>
    internal static NpgsqlBatchCommand InsertCommand(string schema, AuditEntry entry) => BatchCommand($"""
            INSERT INTO {schema}.audit (workspace_id, "timestamp", username, operation, action_kind, resource, parameters)
            VALUES (@ws, @at, @user, @operation, @kind, @resource, @parameters)
            """,
        ("ws", entry.WorkspaceId), ("at", ToDb(entry.Timestamp)), ("user", entry.Username), ("operation", entry.Operation),
        ("kind", entry.ActionKind.ToString()), ("resource", entry.Resource),
        ("parameters", entry.Parameters is null ? null : JsonSerializer.Serialize(entry.Parameters)));

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = new StringBuilder($"SELECT {Columns} FROM {_s}.audit WHERE workspace_id = @ws");
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
                sql.Append(" AND ").Append(condition);
                parameters.Add((name, values.ToArray()));
            }
        }

        Filter("username = @user", "user", query.Username);
        Filter("starts_with(operation, @operation)", "operation", query.Operation);
        FilterList("operation = ANY(@ops)", "ops", query.Operations);
        FilterList("NOT (operation = ANY(@exclude))", "exclude", query.ExcludeOperations);
        Filter("starts_with(resource, @resource)", "resource", query.Resource);
        Filter("action_kind = @kind", "kind", query.ActionKind?.ToString());
        Filter("\"timestamp\" <= @before", "before", query.Before is { } before ? ToDb(before) : null);
        Filter("\"timestamp\" > @after", "after", query.After is { } after ? ToDb(after) : null);
        Filter("id < @beforeId", "beforeId", query.BeforeId);
        sql.Append(" ORDER BY id DESC LIMIT @limit OFFSET @offset");

        var entries = new List<AuditEntry>();
        await foreach (var entry in _database.QueryAsync(sql.ToString(), Read, cancellationToken, [.. parameters]).ConfigureAwait(false))
        {
            entries.Add(entry);
        }

        return entries;
    }

    /// <inheritdoc />
    public ValueTask<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (connection, transaction) =>
        {
            await using var delete = connection.Command($"DELETE FROM {_s}.audit WHERE \"timestamp\" < @cutoff", transaction, ("cutoff", ToDb(cutoff)));
            return await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AuditEntry?> GetAsync(string workspaceId, long id, CancellationToken cancellationToken) =>
        _database.QuerySingleAsync($"SELECT {Columns} FROM {_s}.audit WHERE workspace_id = @ws AND id = @id", Read, cancellationToken,
            ("ws", workspaceId), ("id", id));

    private static AuditEntry Read(NpgsqlDataReader reader) => new()
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
