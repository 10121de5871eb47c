using Windmill.Webhooks.Idempotency;
using static Windmill.Webhooks.Storage.Sqlite.SqliteValues;

namespace Windmill.Webhooks.Storage.Sqlite;

/// <summary>
/// The SQLite <see cref="IIdempotencyStore"/> (table <c>idempotency_key</c>), durable across restarts. Each member is
/// one write of the database's group commit; processes sharing the file take turns on SQLite's write lock.
/// </summary>
public sealed class SqliteIdempotencyStore : IIdempotencyStore
{
    private readonly SqliteDatabase _database;

    /// <summary>Creates the store over <paramref name="database"/>.</summary>
    public SqliteIdempotencyStore(SqliteDatabase database) => _database = database;

    /// <inheritdoc />
    public ValueTask<ClaimedIdempotencyKey> ClaimAsync(IdempotencyRecord record, DateTimeOffset expiredBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return _database.WriteAsync(connection =>
        {
            using (var purge = connection.Command("DELETE FROM idempotency_key WHERE created_at < $expired", ("$expired", ToDb(expiredBefore))))
            {
                purge.ExecuteNonQuery();
            }

            using (var insert = connection.Command("""
                INSERT INTO idempotency_key (workspace_id, owner, key, fingerprint, job_id, created_at) VALUES ($ws, $owner, $key, $fingerprint, $job, $at)
                ON CONFLICT (workspace_id, owner, key) DO NOTHING
                """,
                ("$ws", record.Workspace), ("$owner", record.Owner), ("$key", record.Key), ("$fingerprint", record.Fingerprint),
                ("$job", ToDb(record.JobId)), ("$at", ToDb(record.CreatedAt))))
            {
                if (insert.ExecuteNonQuery() == 1)
                {
                    return new ClaimedIdempotencyKey(record, Inserted: true);
                }
            }

            using var select = connection.Command(
                "SELECT fingerprint, job_id, created_at FROM idempotency_key WHERE workspace_id = $ws AND owner = $owner AND key = $key",
                ("$ws", record.Workspace), ("$owner", record.Owner), ("$key", record.Key));
            using var reader = select.ExecuteReader();
            reader.Read();
            return new ClaimedIdempotencyKey(record with { Fingerprint = reader.GetString(0), JobId = reader.GetGuid(1), CreatedAt = Instant(reader, 2) },
                Inserted: false);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask ReleaseAsync(IdempotencyRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await _database.WriteAsync(connection =>
        {
            using var delete = connection.Command("DELETE FROM idempotency_key WHERE workspace_id = $ws AND owner = $owner AND key = $key AND job_id = $job",
                ("$ws", record.Workspace), ("$owner", record.Owner), ("$key", record.Key), ("$job", ToDb(record.JobId)));
            return delete.ExecuteNonQuery();
        }, cancellationToken).ConfigureAwait(false);
    }
}
