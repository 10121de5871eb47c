using Npgsql;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Scripts;
using static Windmill.Webhooks.Storage.ScriptRows;
using static Windmill.Webhooks.Storage.PostgreSql.PostgreSqlValues;

namespace Windmill.Webhooks.Storage.PostgreSql;

/// <summary>
/// The PostgreSQL <see cref="IScriptStore"/>. Deployments at one path take a transaction-scoped advisory lock on it, so two
/// processes deploying there at once keep the lineage linear: the second sees the first's head.
/// </summary>
public sealed class PostgreSqlScriptStore : IScriptStore
{
    // The head of a path: its newest non-archived version.
    private static readonly string HeadOrder = ScriptRows.HeadOrder("seq");

    private readonly PostgreSqlDatabase _database;
    private readonly string _s;

    /// <summary>Creates the store over <paramref name="database"/>.</summary>
    public PostgreSqlScriptStore(PostgreSqlDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _s = database.Schema;
    }

    /// <summary>Whether <paramref name="audit"/> is the audit table of this store's database.</summary>
    public bool CommitsWith(IAuditSink audit) => audit is PostgreSqlAuditSink sink && sink.Database == _database;

    /// <inheritdoc />
    public ValueTask<ScriptVersion?> GetLatestAsync(string workspace, string path, CancellationToken cancellationToken) =>
        _database.QuerySingleAsync($"SELECT {Columns} FROM {_s}.script WHERE workspace_id = @ws AND path = @path AND NOT archived {HeadOrder}",
            Read, cancellationToken, ("ws", workspace), ("path", path));

    /// <inheritdoc />
    public ValueTask<ScriptVersion?> GetByHashAsync(string workspace, ScriptHash hash, CancellationToken cancellationToken) =>
        _database.QuerySingleAsync($"SELECT {Columns} FROM {_s}.script WHERE workspace_id = @ws AND hash = @hash",
            Read, cancellationToken, ("ws", workspace), ("hash", hash.Value));

    /// <inheritdoc />
    public async ValueTask AddVersionAsync(ScriptVersion version, AuditEntry? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        await _database.WriteAsync(async (connection, transaction) =>
        {
            await using (var lockPath = connection.Command("SELECT pg_advisory_xact_lock(hashtext(@schema), hashtext(@ws || '/' || @path))", transaction,
                ("schema", _s), ("ws", version.Workspace), ("path", version.Path)))
            {
                await lockPath.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var exists = connection.Command($"SELECT 1 FROM {_s}.script WHERE workspace_id = @ws AND hash = @hash", transaction,
                ("ws", version.Workspace), ("hash", version.Hash.Value)))
            {
                if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
                {
                    throw new ScriptVersionConflictException(version.Workspace, version.Hash);
                }
            }

            await using (var head = connection.Command($"SELECT hash FROM {_s}.script WHERE workspace_id = @ws AND path = @path AND NOT archived {HeadOrder}",
                transaction, ("ws", version.Workspace), ("path", version.Path)))
            {
                if (await head.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long current && current != version.ParentHash?.Value)
                {
                    throw new ScriptLineageException(version.Workspace, version.Path, new ScriptHash(current));
                }
            }

            try
            {
                await using var insert = connection.Command(
                    $"INSERT INTO {_s}.script ({Columns}) VALUES (@ws, @hash, @path, @parent, @language, @content, @summary, @description, @schema, @by, @at, @archived, @timeout, @compiled)",
                    transaction,
                    ("ws", version.Workspace), ("hash", version.Hash.Value), ("path", version.Path), ("parent", version.ParentHash?.Value),
                    ("language", version.Language), ("content", version.Content), ("summary", version.Summary), ("description", version.Description),
                    ("schema", ToDb(version.Schema)), ("by", version.CreatedBy), ("at", ToDb(version.CreatedAt)), ("archived", version.Archived),
                    ("timeout", ToDb(version.Timeout)), ("compiled", version.CompiledCode));
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (PostgreSqlStorageFailures.IsUniqueViolation(e))
            {
                throw new ScriptVersionConflictException(version.Workspace, version.Hash);
            }

            if (version.ParentHash is { } parent)
            {
                await using var archive = connection.Command($"UPDATE {_s}.script SET archived = true WHERE workspace_id = @ws AND hash = @hash", transaction,
                    ("ws", version.Workspace), ("hash", parent.Value));
                await archive.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await PostgreSqlAuditSink.InsertAsync(connection, transaction, _s, audit, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<bool> ArchiveAsync(string workspace, ScriptHash hash, AuditEntry? audit, CancellationToken cancellationToken) =>
        WriteAsync($"UPDATE {_s}.script SET archived = true WHERE workspace_id = @ws AND hash = @key", workspace, hash.Value, audit, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> ArchivePathAsync(string workspace, string path, AuditEntry? audit, CancellationToken cancellationToken) =>
        WriteAsync($"UPDATE {_s}.script SET archived = true WHERE workspace_id = @ws AND path = @key", workspace, path, audit, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> DeletePathAsync(string workspace, string path, AuditEntry? audit, CancellationToken cancellationToken) =>
        WriteAsync($"DELETE FROM {_s}.script WHERE workspace_id = @ws AND path = @key", workspace, path, audit, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<ScriptVersion> GetHistoryAsync(string workspace, string path, CancellationToken cancellationToken) =>
        _database.QueryAsync($"SELECT {Columns} FROM {_s}.script WHERE workspace_id = @ws AND path = @path ORDER BY created_at DESC, seq DESC",
            Read, cancellationToken, ("ws", workspace), ("path", path));

    /// <inheritdoc />
    public IAsyncEnumerable<ScriptVersion> ListAsync(ScriptQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);

        var (sql, parameters) = ScriptRows.List(query, $"{_s}.script", "seq", "path COLLATE \"C\"");
        return _database.QueryAsync(sql, ScriptRows.Read, cancellationToken, [.. parameters]);
    }

    private ValueTask<bool> WriteAsync(string sql, string workspace, object key, AuditEntry? audit, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command(sql, transaction, ("ws", workspace), ("key", key));
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return false;
            }

            await PostgreSqlAuditSink.InsertAsync(connection, transaction, _s, audit, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
}
