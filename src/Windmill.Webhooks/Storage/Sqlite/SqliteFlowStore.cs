using System.Text;
using Microsoft.Data.Sqlite;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Flows;
using static Windmill.Webhooks.Storage.Sqlite.SqliteValues;

namespace Windmill.Webhooks.Storage.Sqlite;

/// <summary>The SQLite <see cref="IFlowStore"/>: a <c>flow</c> row per path, and its <c>flow_version</c> rows, whose ids the database gives.</summary>
public sealed class SqliteFlowStore : IFlowStore
{
    private const string Columns =
        "v.workspace_id, v.path, v.id, v.summary, v.description, v.value, v.schema, v.created_by, v.created_at, v.deployment_msg, f.archived";

    private const string FromVersions = "FROM flow_version v JOIN flow f ON f.workspace_id = v.workspace_id AND f.path = v.path";

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
            using (var insert = connection.Command(
                """
                INSERT INTO flow_version (workspace_id, path, summary, description, value, schema, created_by, created_at, deployment_msg)
                VALUES ($ws, $path, $summary, $description, $value, $schema, $by, $at, $msg) RETURNING id
                """,
                ("$ws", version.Workspace), ("$path", version.Path), ("$summary", version.Summary), ("$description", version.Description),
                ("$value", version.Value.GetRawText()), ("$schema", ToDb(version.Schema)), ("$by", version.CreatedBy), ("$at", ToDb(version.CreatedAt)),
                ("$msg", ToDb(version.DeploymentMessage))))
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
        ArgumentNullException.ThrowIfNull(query);
        var sql = new StringBuilder($"""
            SELECT {Columns} {FromVersions}
            WHERE v.workspace_id = $ws AND f.archived = $archived
              AND v.id = (SELECT max(l.id) FROM flow_version l WHERE l.workspace_id = v.workspace_id AND l.path = v.path)
            """);
        var parameters = new List<(string, object?)>
        {
            ("$ws", query.Workspace), ("$archived", query.Archived), ("$offset", query.Offset), ("$limit", query.Limit),
        };
        if (query.PathStart is { } start)
        {
            sql.Append(" AND substr(v.path, 1, length($start)) = $start");
            parameters.Add(("$start", start));
        }

        if (query.PathExact is { } exact)
        {
            sql.Append(" AND v.path = $exact");
            parameters.Add(("$exact", exact));
        }

        if (query.CreatedBy is { } createdBy)
        {
            sql.Append(" AND v.created_by = $by");
            parameters.Add(("$by", createdBy));
        }

        sql.Append(" ORDER BY v.path LIMIT $limit OFFSET $offset");
        return _database.QueryAsync(sql.ToString(), Read, cancellationToken, [.. parameters]);
    }

    private static void Audit(SqliteConnection connection, AuditEntry? audit)
    {
        if (audit is not null)
        {
            SqliteAuditSink.Insert(connection, audit);
        }
    }

    private static FlowVersion Read(SqliteDataReader reader) => new()
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
