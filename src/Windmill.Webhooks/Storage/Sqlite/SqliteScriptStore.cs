using Microsoft.Data.Sqlite;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Scripts;
using static Windmill.Webhooks.Storage.ScriptRows;
using static Windmill.Webhooks.Storage.Sqlite.SqliteValues;

namespace Windmill.Webhooks.Storage.Sqlite;

/// <summary>The SQLite <see cref="IScriptStore"/>.</summary>
public sealed class SqliteScriptStore : IScriptStore
{
    // The head of a path: its newest non-archived version.
    private static readonly string HeadOrder = ScriptRows.HeadOrder("rowid");

    private readonly SqliteDatabase _database;

    /// <summary>Creates the store over <paramref name="database"/>.</summary>
    public SqliteScriptStore(SqliteDatabase database) => _database = database;

    /// <summary>Whether <paramref name="audit"/> is the audit table of this store's database.</summary>
    public bool CommitsWith(IAuditSink audit) => audit is SqliteAuditSink sink && sink.Database == _database;

    /// <inheritdoc />
    public async ValueTask<ScriptVersion?> GetLatestAsync(string workspace, string path, CancellationToken cancellationToken)
    {
        return await _database.QuerySingleAsync(
            $"SELECT {Columns} FROM script WHERE workspace_id = $ws AND path = $path AND archived = 0 {HeadOrder}",
            Read, cancellationToken, ("$ws", workspace), ("$path", path)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<ScriptVersion?> GetByHashAsync(string workspace, ScriptHash hash, CancellationToken cancellationToken)
    {
        return await _database.QuerySingleAsync($"SELECT {Columns} FROM script WHERE workspace_id = $ws AND hash = $hash",
            Read, cancellationToken, ("$ws", workspace), ("$hash", hash.Value)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask AddVersionAsync(ScriptVersion version, AuditEntry? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        await _database.WriteAsync(connection =>
        {
            using (var exists = connection.Command("SELECT 1 FROM script WHERE workspace_id = $ws AND hash = $hash",
                ("$ws", version.Workspace), ("$hash", version.Hash.Value)))
            {
                if (exists.ExecuteScalar() is not null)
                {
                    throw new ScriptVersionConflictException(version.Workspace, version.Hash);
                }
            }

            using (var head = connection.Command($"SELECT hash FROM script WHERE workspace_id = $ws AND path = $path AND archived = 0 {HeadOrder}",
                ("$ws", version.Workspace), ("$path", version.Path)))
            {
                if (head.ExecuteScalar() is long current && current != version.ParentHash?.Value)
                {
                    throw new ScriptLineageException(version.Workspace, version.Path, new ScriptHash(current));
                }
            }

            try
            {
                using var insert = connection.Command(
                    $"INSERT INTO script ({Columns}) VALUES ($ws, $hash, $path, $parent, $language, $content, $summary, $description, $schema, $by, $at, $archived, $timeout, $compiled)",
                    ("$ws", version.Workspace), ("$hash", version.Hash.Value), ("$path", version.Path), ("$parent", version.ParentHash?.Value),
                    ("$language", version.Language), ("$content", version.Content), ("$summary", version.Summary), ("$description", version.Description),
                    ("$schema", ToDb(version.Schema)), ("$by", version.CreatedBy), ("$at", ToDb(version.CreatedAt)), ("$archived", version.Archived),
                    ("$timeout", ToDb(version.Timeout)), ("$compiled", ToDb(version.CompiledCode)));
                insert.ExecuteNonQuery();
            }
            catch (SqliteException e) when (e.IsConstraintViolation())
            {
                throw new ScriptVersionConflictException(version.Workspace, version.Hash);
            }

            if (version.ParentHash is { } parent)
            {
                using var archive = connection.Command("UPDATE script SET archived = 1 WHERE workspace_id = $ws AND hash = $hash",
                    ("$ws", version.Workspace), ("$hash", parent.Value));
                archive.ExecuteNonQuery();
            }

            Audit(connection, audit);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<bool> ArchiveAsync(string workspace, ScriptHash hash, AuditEntry? audit, CancellationToken cancellationToken) =>
        WriteAsync("UPDATE script SET archived = 1 WHERE workspace_id = $ws AND hash = $key", workspace, hash.Value, audit, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> ArchivePathAsync(string workspace, string path, AuditEntry? audit, CancellationToken cancellationToken) =>
        WriteAsync("UPDATE script SET archived = 1 WHERE workspace_id = $ws AND path = $key", workspace, path, audit, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> DeletePathAsync(string workspace, string path, AuditEntry? audit, CancellationToken cancellationToken) =>
        WriteAsync("DELETE FROM script WHERE workspace_id = $ws AND path = $key", workspace, path, audit, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<ScriptVersion> GetHistoryAsync(string workspace, string path, CancellationToken cancellationToken) =>
        _database.QueryAsync($"SELECT {Columns} FROM script WHERE workspace_id = $ws AND path = $path ORDER BY created_at DESC, rowid DESC",
            Read, cancellationToken, ("$ws", workspace), ("$path", path));

    /// <inheritdoc />
    public IAsyncEnumerable<ScriptVersion> ListAsync(ScriptQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);

        var (sql, parameters) = ScriptRows.List(query, "script", "rowid", "path");
        return _database.QueryAsync(sql, Read, cancellationToken, [.. parameters.Select(p => ("@" + p.Name, p.Value))]);
    }

    private ValueTask<bool> WriteAsync(string sql, string workspace, object key, AuditEntry? audit, CancellationToken cancellationToken) =>
        _database.WriteAsync(connection =>
        {
            using var command = connection.Command(sql, ("$ws", workspace), ("$key", key));
            if (command.ExecuteNonQuery() == 0)
            {
                return false;
            }

            Audit(connection, audit);
            return true;
        }, cancellationToken);

    private static void Audit(SqliteConnection connection, AuditEntry? audit)
    {
        if (audit is not null)
        {
            SqliteAuditSink.Insert(connection, audit);
        }
    }

    private static ScriptVersion Read(SqliteDataReader reader) => ScriptRows.Read(reader);
}
