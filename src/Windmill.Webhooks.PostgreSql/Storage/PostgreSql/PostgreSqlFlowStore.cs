using System.Text;
using Npgsql;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Flows;
using static Windmill.Webhooks.Storage.PostgreSql.PostgreSqlValues;

namespace Windmill.Webhooks.Storage.PostgreSql;

/// <summary>
/// The PostgreSQL <see cref="IFlowStore"/>: table <c>flow</c> holds each path's newest version and whether it is archived,
/// <c>flow_version</c> every version. A write locks the path's <c>flow</c> row, so of two processes updating one flow from the
/// same version exactly one wins; two creates at one path meet on its primary key.
/// </summary>
public sealed class PostgreSqlFlowStore : IFlowStore
{
    private const string Columns =
        "v.workspace_id, v.path, v.id, v.summary, v.description, v.value, v.schema, v.created_by, v.created_at, v.deployment_message, f.archived";

    private readonly PostgreSqlDatabase _database;
    private readonly string _s;

    /// <summary>Creates the store over <paramref name="database"/>.</summary>
    public PostgreSqlFlowStore(PostgreSqlDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _s = database.Schema;
    }

    private string Joined => $"{_s}.flow_version v JOIN {_s}.flow f ON f.workspace_id = v.workspace_id AND f.path = v.path";

    /// <inheritdoc />
    public bool CommitsWith(IAuditSink audit) => audit is PostgreSqlAuditSink sink && sink.Database == _database;

    /// <inheritdoc />
    public ValueTask<FlowVersion?> GetLatestAsync(string workspace, string path, CancellationToken cancellationToken) =>
        _database.QuerySingleAsync($"SELECT {Columns} FROM {Joined} WHERE f.workspace_id = @ws AND f.path = @path AND v.id = f.latest_version",
            Read, cancellationToken, ("ws", workspace), ("path", path));

    /// <inheritdoc />
    public ValueTask<FlowVersion?> GetVersionAsync(string workspace, long id, CancellationToken cancellationToken) =>
        _database.QuerySingleAsync($"SELECT {Columns} FROM {Joined} WHERE v.workspace_id = @ws AND v.id = @id",
            Read, cancellationToken, ("ws", workspace), ("id", id));

    /// <inheritdoc />
    public ValueTask<FlowVersion> AddVersionAsync(FlowVersion version, long? expectedPrevious, AuditEntry? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        return _database.WriteAsync(async (connection, transaction) =>
        {
            long? latest;
            await using (var current = connection.Command($"SELECT latest_version FROM {_s}.flow WHERE workspace_id = @ws AND path = @path FOR UPDATE",
                transaction, ("ws", version.Workspace), ("path", version.Path)))
            {
                latest = await current.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long?;
            }

            if (expectedPrevious is null && latest is not null)
            {
                throw new FlowConflictException($"Flow {version.Path} already exists");
            }

            if (expectedPrevious is { } expected && latest != expected)
            {
                throw new FlowConflictException(latest is null
                    ? $"Flow {version.Path} does not exist"
                    : $"Flow {version.Path} changed: its newest version is {latest}, not {expected}");
            }

            long id;
            await using (var insert = connection.Command($"""
                INSERT INTO {_s}.flow_version (workspace_id, path, summary, description, value, schema, created_by, created_at, deployment_message)
                VALUES (@ws, @path, @summary, @description, @value, @schema, @by, @at, @message) RETURNING id
                """, transaction,
                ("ws", version.Workspace), ("path", version.Path), ("summary", version.Summary), ("description", version.Description),
                ("value", version.Value.GetRawText()), ("schema", ToDb(version.Schema)), ("by", version.CreatedBy), ("at", ToDb(version.CreatedAt)),
                ("message", version.DeploymentMessage)))
            {
                id = (long)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }

            try
            {
                await using var head = connection.Command(latest is null
                    ? $"INSERT INTO {_s}.flow (workspace_id, path, archived, latest_version) VALUES (@ws, @path, false, @id)"
                    : $"UPDATE {_s}.flow SET latest_version = @id, archived = false WHERE workspace_id = @ws AND path = @path", transaction,
                    ("ws", version.Workspace), ("path", version.Path), ("id", id));
                await head.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (PostgreSqlStorageFailures.IsUniqueViolation(e))
            {
                throw new FlowConflictException($"Flow {version.Path} already exists", e); // created at once by another process
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
        _database.QueryAsync($"SELECT {Columns} FROM {Joined} WHERE f.workspace_id = @ws AND f.path = @path ORDER BY v.id DESC",
            Read, cancellationToken, ("ws", workspace), ("path", path));

    /// <inheritdoc />
    public IAsyncEnumerable<FlowVersion> ListAsync(FlowQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = new StringBuilder($"SELECT {Columns} FROM {Joined} WHERE f.workspace_id = @ws AND v.id = f.latest_version AND f.archived = @archived");
        var parameters = new List<(string, object?)>
        {
            ("ws", query.Workspace), ("archived", query.Archived), ("offset", query.Offset), ("limit", query.Limit),
        };
        if (query.PathStart is { } start)
        {
            sql.Append(" AND starts_with(f.path, @start)");
            parameters.Add(("start", start));
        }

        if (query.PathExact is { } exact)
        {
            sql.Append(" AND f.path = @exact");
            parameters.Add(("exact", exact));
        }

        if (query.CreatedBy is { } createdBy)
        {
            sql.Append(" AND v.created_by = @by");
            parameters.Add(("by", createdBy));
        }

        sql.Append(" ORDER BY f.path COLLATE \"C\" LIMIT @limit OFFSET @offset");
        return _database.QueryAsync(sql.ToString(), Read, cancellationToken, [.. parameters]);
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

    private static FlowVersion Read(NpgsqlDataReader reader) => new()
    {
        Workspace = reader.GetString(0),
        Path = reader.GetString(1),
        Id = reader.GetInt64(2),
        Summary = reader.GetString(3),
        Description = reader.GetString(4),
        Value = Json(reader, 5),
        Schema = NullableJson(reader, 6),
        CreatedBy = reader.GetString(7),
        CreatedAt = Instant(reader, 8),
        DeploymentMessage = NullableString(reader, 9),
        Archived = reader.GetBoolean(10),
    };
}
