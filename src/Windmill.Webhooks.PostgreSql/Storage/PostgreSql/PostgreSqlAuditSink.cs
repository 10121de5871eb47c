using Npgsql;
using Windmill.Webhooks.Audit;
using static Windmill.Webhooks.Storage.AuditRows;
using static Windmill.Webhooks.Storage.PostgreSql.PostgreSqlValues;

namespace Windmill.Webhooks.Storage.PostgreSql;

/// <summary>The PostgreSQL <see cref="IAuditSink"/>, which can also read its entries back and delete old ones.</summary>
public sealed class PostgreSqlAuditSink : IAuditSink, IAuditLogReader, IAuditLogRetention
{
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
        ("parameters", AuditRows.Parameters(entry)));

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (sql, parameters) = AuditRows.List(query, $"{_s}.audit");

        var entries = new List<AuditEntry>();
        await foreach (var entry in _database.QueryAsync(sql, AuditRows.Read, cancellationToken, [.. parameters]).ConfigureAwait(false))
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
        _database.QuerySingleAsync($"SELECT {Columns} FROM {_s}.audit WHERE workspace_id = @ws AND id = @id", AuditRows.Read, cancellationToken,
            ("ws", workspaceId), ("id", id));
}
