using Microsoft.Data.Sqlite;
using Windmill.Webhooks.Audit;
using static Windmill.Webhooks.Storage.AuditRows;
using static Windmill.Webhooks.Storage.Sqlite.SqliteValues;

namespace Windmill.Webhooks.Storage.Sqlite;

/// <summary>The SQLite <see cref="IAuditSink"/>, which can also read its entries back.</summary>
public sealed class SqliteAuditSink : IAuditSink, IAuditLogReader, IAuditLogRetention
{
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
            ("$parameters", AuditRows.Parameters(entry))).ExecuteNonQuery();

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (sql, parameters) = AuditRows.List(query, "audit");

        var entries = new List<AuditEntry>();
        await foreach (var entry in _database.QueryAsync(sql, Read, cancellationToken, [.. parameters.Select(p => ("@" + p.Name, p.Value))]).ConfigureAwait(false))
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

    private static AuditEntry Read(SqliteDataReader reader) => AuditRows.Read(reader);
}
