using Microsoft.Data.Sqlite;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Flows;
using static Windmill.Webhooks.Storage.FlowRows;
using static Windmill.Webhooks.Storage.Sqlite.SqliteValues;

namespace Windmill.Webhooks.Storage.Sqlite;

/// <summary>The SQLite <see cref="IFlowStore"/>: a <c>flow</c> row per path, and its <c>flow_version</c> rows, whose ids the database gives.</summary>
public sealed class SqliteFlowStore : IFlowStore
{
    private static readonly string FromVersions = FlowRows.FromVersions("");

    private readonly SqliteDatabase _database;

    /// <summary>Creates the store over <paramref name="database"/>.</summary>
    public SqliteFlowStore(SqliteDatabase database) => _database = database;

    /// <summary>Whether <paramref name="audit"/> is the audit table of this store's database.</summary>
    public bool CommitsWith(IAuditSink audit) => audit is SqliteAuditSink sink && sink.Database == _database;

    /// <inheritdoc />
    public ValueTask<FlowVersion?> GetLatestAsync(string workspace, string path, CancellationToken cancellationToken) =>
        _database.QuerySingleAsync($"SELECT {Columns} {FromVersions} WHERE v.workspace_id = $ws AND v.path = $path ORDER BY v.id DESC LIMIT 1",
            Read, cancellationToken, ("$ws", workspace), ("$path", path));

    /// <inheritdoc />
    public ValueTask<FlowVersion?> GetVersionAsync(string workspace, long id, CancellationToken cancellationToken) =>
        _database.QuerySingleAsync($"SELECT {Columns} {FromVersions} WHERE v.workspace_id = $ws AND v.id = $id",
            Read, cancellationToken, ("$ws", workspace), ("$id", id));

    /// <inheritdoc />
    public async ValueTask<FlowVersion> AddVersionAsync(FlowVersion version, long? expectedPrevious, AuditEntry? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        return await _database.WriteAsync(connection =>
        {
            long? newest;
            using (var head = connection.Command("SELECT max(id) FROM flow_version WHERE workspace_id = $ws AND path = $path",
                ("$ws", version.Workspace), ("$path", version.Path)))
            {
                newest = head.ExecuteScalar() is long id ? id : null;
            }

            using (var exists = connection.Command("SELECT 1 FROM flow WHERE workspace_id = $ws AND path = $path", ("$ws", version.Workspace), ("$path", version.Path)))
            {
                var flowExists = exists.ExecuteScalar() is not null;
                if (expectedPrevious is null && flowExists)
                {
                    throw new FlowConflictException($"Flow {version.Path} already exists");
                }

                if (expectedPrevious is { } expected && (!flowExists || newest != expected))
                {
                    throw new FlowConflictException(
                        $"Flow {version.Path} changed meanwhile: its newest version is {newest?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, not {expected}");
                }
            }

            // A create adds the flow; an update un-archives it.
            using (var flow = connection.Command(
                "INSERT INTO flow (workspace_id, path, archived) VALUES ($ws, $path, 0) ON CONFLICT (workspace_id, path) DO UPDATE SET archived = 0",
                ("$ws", version.Workspace), ("$path", version.Path)))
            {
                flow.ExecuteNonQuery();
            }

            long added;
            using (var insert = connection.Command(FlowRows.InsertVersion(""), [.. FlowRows.VersionValues(version).Select(v => ("@" + v.Name, v.Value))]))
            {
                added = (long)insert.ExecuteScalar()!;
            }

            Audit(connection, audit);
            return version with { Id = added, Archived = false };
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<bool> SetArchivedAsync(string workspace, string path, bool archived, AuditEntry? audit, CancellationToken cancellationToken) =>
        _database.WriteAsync(connection =>
        {
            using var command = connection.Command("UPDATE flow SET archived = $archived WHERE workspace_id = $ws AND path = $path",
                ("$ws", workspace), ("$path", path), ("$archived", archived));
            if (command.ExecuteNonQuery() == 0)
            {
                return false;
            }

            Audit(connection, audit);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string workspace, string path, AuditEntry? audit, CancellationToken cancellationToken) =>
        _database.WriteAsync(connection =>
        {
            using var flow = connection.Command("DELETE FROM flow WHERE workspace_id = $ws AND path = $path", ("$ws", workspace), ("$path", path));
            if (flow.ExecuteNonQuery() == 0)
            {
                return false;
            }

            using var versions = connection.Command("DELETE FROM flow_version WHERE workspace_id = $ws AND path = $path", ("$ws", workspace), ("$path", path));
            versions.ExecuteNonQuery();
            Audit(connection, audit);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<FlowVersion> GetHistoryAsync(string workspace, string path, CancellationToken cancellationToken) =>
        _database.QueryAsync($"SELECT {Columns} {FromVersions} WHERE v.workspace_id = $ws AND v.path = $path ORDER BY v.id DESC",
            Read, cancellationToken, ("$ws", workspace), ("$path", path));

    /// <inheritdoc />
    public IAsyncEnumerable<FlowVersion> ListAsync(FlowQuery query, CancellationToken cancellationToken)
    {
        var (sql, parameters) = FlowRows.List(query, "", "v.path");
        return _database.QueryAsync(sql, Read, cancellationToken, [.. parameters.Select(p => ("@" + p.Name, p.Value))]);
    }

    private static void Audit(SqliteConnection connection, AuditEntry? audit)
    {
        if (audit is not null)
        {
            SqliteAuditSink.Insert(connection, audit);
        }
    }

    private static FlowVersion Read(SqliteDataReader reader) => FlowRows.Read(reader);
}
