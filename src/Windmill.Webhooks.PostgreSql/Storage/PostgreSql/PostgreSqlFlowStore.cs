using System.Globalization;
using Npgsql;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Flows;
using static Windmill.Webhooks.Storage.FlowRows;

namespace Windmill.Webhooks.Storage.PostgreSql;

/// <summary>
/// The PostgreSQL <see cref="IFlowStore"/>: a <c>flow</c> row per path and its <c>flow_version</c> rows, as the SQLite store keeps
/// them. An update locks the path's <c>flow</c> row before it reads the newest version, so of processes updating one flow from
/// the same version exactly one wins; two creates at one path meet on its primary key, and one conflicts.
/// </summary>
public sealed class PostgreSqlFlowStore : IFlowStore
{
    private readonly PostgreSqlDatabase _database;
    private readonly string _s;
    private readonly string _from;

    /// <summary>Creates the store over <paramref name="database"/>.</summary>
    public PostgreSqlFlowStore(PostgreSqlDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _s = database.Schema;
        _from = FromVersions(_s + ".");
    }

    /// <inheritdoc />
    public bool CommitsWith(IAuditSink audit) => audit is PostgreSqlAuditSink sink && sink.Database == _database;

    /// <inheritdoc />
    public ValueTask<FlowVersion?> GetLatestAsync(string workspace, string path, CancellationToken cancellationToken) =>
        _database.QuerySingleAsync($"SELECT {Columns} {_from} WHERE v.workspace_id = @ws AND v.path = @path ORDER BY v.id DESC LIMIT 1",
            Read, cancellationToken, ("ws", workspace), ("path", path));

    /// <inheritdoc />
    public ValueTask<FlowVersion?> GetVersionAsync(string workspace, long id, CancellationToken cancellationToken) =>
        _database.QuerySingleAsync($"SELECT {Columns} {_from} WHERE v.workspace_id = @ws AND v.id = @id",
            Read, cancellationToken, ("ws", workspace), ("id", id));

    /// <inheritdoc />
    public ValueTask<FlowVersion> AddVersionAsync(FlowVersion version, long? expectedPrevious, AuditEntry? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        return _database.WriteAsync(async (connection, transaction) =>
        {
            bool exists;
            await using (var flow = connection.Command($"SELECT 1 FROM {_s}.flow WHERE workspace_id = @ws AND path = @path FOR UPDATE", transaction,
                ("ws", version.Workspace), ("path", version.Path)))
            {
                exists = await flow.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
            }

            if (expectedPrevious is null && exists)
            {
                throw new FlowConflictException($"Flow {version.Path} already exists");
            }

            if (expectedPrevious is { } expected)
            {
                long? newest;
                await using (var head = connection.Command($"SELECT max(id) FROM {_s}.flow_version WHERE workspace_id = @ws AND path = @path", transaction,
                    ("ws", version.Workspace), ("path", version.Path)))
                {
                    newest = await head.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long?;
                }

                if (!exists || newest != expected)
                {
                    throw new FlowConflictException(
                        $"Flow {version.Path} changed meanwhile: its newest version is {newest?.ToString(CultureInfo.InvariantCulture) ?? "none"}, not {expected}");
                }
            }

            try
            {
                // A create adds the flow; an update un-archives it.
                await using var flow = connection.Command(exists
                    ? $"UPDATE {_s}.flow SET archived = false WHERE workspace_id = @ws AND path = @path"
                    : $"INSERT INTO {_s}.flow (workspace_id, path, archived) VALUES (@ws, @path, false)", transaction,
                    ("ws", version.Workspace), ("path", version.Path));
                await flow.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (PostgreSqlStorageFailures.IsUniqueViolation(e))
            {
                throw new FlowConflictException($"Flow {version.Path} already exists", e); // created at the same moment by another process
            }

            long id;
            await using (var insert = connection.Command(InsertVersion(_s + "."), transaction, VersionValues(version)))
            {
                id = (long)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }

            await PostgreSqlAuditSink.InsertAsync(connection, transaction, _s, audit, cancellationToken).ConfigureAwait(false);
            return version with { Id = id, Archived = false };
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<bool> SetArchivedAsync(string workspace, string path, bool archived, AuditEntry? audit, CancellationToken cancellationToken) =>
        WriteAsync([$"UPDATE {_s}.flow SET archived = @archived WHERE workspace_id = @ws AND path = @path"], workspace, path, audit, cancellationToken,
            ("archived", archived));

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string workspace, string path, AuditEntry? audit, CancellationToken cancellationToken) =>
        WriteAsync([$"DELETE FROM {_s}.flow WHERE workspace_id = @ws AND path = @path",
            $"DELETE FROM {_s}.flow_version WHERE workspace_id = @ws AND path = @path"], workspace, path, audit, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<FlowVersion> GetHistoryAsync(string workspace, string path, CancellationToken cancellationToken) =>
        _database.QueryAsync($"SELECT {Columns} {_from} WHERE v.workspace_id = @ws AND v.path = @path ORDER BY v.id DESC",
            Read, cancellationToken, ("ws", workspace), ("path", path));

    /// <inheritdoc />
    public IAsyncEnumerable<FlowVersion> ListAsync(FlowQuery query, CancellationToken cancellationToken)
    {
        var (sql, parameters) = List(query, _s + ".", "v.path COLLATE \"C\"");
        return _database.QueryAsync(sql, Read, cancellationToken, [.. parameters]);
    }

    // Statements on one path's flow; the first one's row count says whether the flow existed (nothing is written when not).
    private ValueTask<bool> WriteAsync(string[] statements, string workspace, string path, AuditEntry? audit, CancellationToken cancellationToken,
        params (string Name, object? Value)[] more) =>
        _database.WriteAsync(async (connection, transaction) =>
        {
            for (var i = 0; i < statements.Length; i++)
            {
                await using var command = connection.Command(statements[i], transaction, [("ws", workspace), ("path", path), .. more]);
                if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0 && i == 0)
                {
                    return false;
                }
            }

            await PostgreSqlAuditSink.InsertAsync(connection, transaction, _s, audit, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
}
