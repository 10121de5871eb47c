using Microsoft.Data.Sqlite;
using Windmill.Webhooks.Scripts;
using static Windmill.Webhooks.Storage.Sqlite.SqliteValues;

namespace Windmill.Webhooks.Storage.Sqlite;

/// <summary>The SQLite <see cref="IScriptStore"/>.</summary>
public sealed class SqliteScriptStore : IScriptStore
{
    private const string Columns = "workspace_id, hash, path, parent_hash, language, content, summary, description, schema, created_by, created_at, archived, timeout_ms";
    private readonly SqliteDatabase _database;

    /// <summary>Creates the store over <paramref name="database"/>.</summary>
    public SqliteScriptStore(SqliteDatabase database) => _database = database;

    /// <inheritdoc />
    public async ValueTask<ScriptVersion?> GetLatestAsync(string workspace, string path, CancellationToken cancellationToken)
    {
        return await _database.QuerySingleAsync(
            $"SELECT {Columns} FROM script WHERE workspace_id = $ws AND path = $path AND archived = 0 ORDER BY created_at DESC, rowid DESC LIMIT 1",
            Read, cancellationToken, ("$ws", workspace), ("$path", path)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<ScriptVersion?> GetByHashAsync(string workspace, ScriptHash hash, CancellationToken cancellationToken)
    {
        return await _database.QuerySingleAsync($"SELECT {Columns} FROM script WHERE workspace_id = $ws AND hash = $hash",
            Read, cancellationToken, ("$ws", workspace), ("$hash", hash.Value)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask AddVersionAsync(ScriptVersion version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        await _database.WriteAsync(connection =>
        {
            try
            {
                using (var insert = connection.Command(
                    $"INSERT INTO script ({Columns}) VALUES ($ws, $hash, $path, $parent, $language, $content, $summary, $description, $schema, $by, $at, $archived, $timeout)",
                    ("$ws", version.Workspace), ("$hash", version.Hash.Value), ("$path", version.Path), ("$parent", version.ParentHash?.Value),
                    ("$language", version.Language), ("$content", version.Content), ("$summary", version.Summary), ("$description", version.Description),
                    ("$schema", ToDb(version.Schema)), ("$by", version.CreatedBy), ("$at", ToDb(version.CreatedAt)), ("$archived", version.Archived),
                    ("$timeout", ToDb(version.Timeout))))
                {
                    insert.ExecuteNonQuery();
                }
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

            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> ArchiveAsync(string workspace, ScriptHash hash, CancellationToken cancellationToken) =>
        await _database.WriteAsync(connection =>
        {
            using var archive = connection.Command("UPDATE script SET archived = 1 WHERE workspace_id = $ws AND hash = $hash",
                ("$ws", workspace), ("$hash", hash.Value));
            return archive.ExecuteNonQuery() > 0;
        }, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public IAsyncEnumerable<ScriptVersion> GetHistoryAsync(string workspace, string path, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM script WHERE workspace_id = $ws AND path = $path ORDER BY created_at DESC, rowid DESC",
            cancellationToken, ("$ws", workspace), ("$path", path));

    /// <inheritdoc />
    public IAsyncEnumerable<ScriptVersion> ListAsync(string workspace, CancellationToken cancellationToken) =>
        QueryAsync($"""
            SELECT {Columns} FROM script s
            WHERE workspace_id = $ws AND archived = 0
              AND rowid = (SELECT rowid FROM script l WHERE l.workspace_id = s.workspace_id AND l.path = s.path AND l.archived = 0
                           ORDER BY created_at DESC, rowid DESC LIMIT 1)
            ORDER BY path
            """, cancellationToken, ("$ws", workspace));

    private IAsyncEnumerable<ScriptVersion> QueryAsync(string sql, CancellationToken cancellationToken, params (string, object?)[] parameters) =>
        _database.QueryAsync(sql, Read, cancellationToken, parameters);

    private static ScriptVersion Read(SqliteDataReader reader) => new()
    {
        Workspace = reader.GetString(0),
        Hash = new ScriptHash(reader.GetInt64(1)),
        Path = reader.GetString(2),
        ParentHash = reader.IsDBNull(3) ? null : new ScriptHash(reader.GetInt64(3)),
        Language = reader.GetString(4),
        Content = reader.GetString(5),
        Summary = reader.GetString(6),
        Description = reader.GetString(7),
        Schema = NullableJson(reader, 8),
        CreatedBy = reader.GetString(9),
        CreatedAt = Instant(reader, 10),
        Archived = reader.GetBoolean(11),
        Timeout = NullableDuration(reader, 12),
    };
}
