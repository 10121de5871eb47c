using Windmill.Webhooks.Idempotency;
using static Windmill.Webhooks.Storage.PostgreSql.PostgreSqlValues;

namespace Windmill.Webhooks.Storage.PostgreSql;

/// <summary>
/// The PostgreSQL <see cref="IIdempotencyStore"/> (table <c>idempotency_key</c>). Concurrent claims of one key, from any
/// number of processes, meet on its primary key: one insert wins, the others wait for it and read its record.
/// </summary>
public sealed class PostgreSqlIdempotencyStore : IIdempotencyStore
{
    // Each claim forgets a few expired keys of others, skipping rows another claim holds, so the table stays small without a sweeper.
    private const int PurgeBatch = 100;
    private readonly PostgreSqlDatabase _database;
    private readonly string _s;

    /// <summary>Creates the store over <paramref name="database"/>.</summary>
    public PostgreSqlIdempotencyStore(PostgreSqlDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _s = database.Schema;
    }

    /// <inheritdoc />
    public ValueTask<ClaimedIdempotencyKey> ClaimAsync(IdempotencyRecord record, DateTimeOffset expiredBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return _database.WriteAsync(async (connection, transaction) =>
        {
            await using (var purge = connection.Command($"""
                DELETE FROM {_s}.idempotency_key WHERE workspace_id = @ws AND owner = @owner AND key = @key AND created_at < @expired;
                DELETE FROM {_s}.idempotency_key WHERE ctid IN (
                    SELECT ctid FROM {_s}.idempotency_key WHERE created_at < @expired LIMIT {PurgeBatch} FOR UPDATE SKIP LOCKED)
                """, transaction, ("ws", record.Workspace), ("owner", record.Owner), ("key", record.Key), ("expired", ToDb(expiredBefore))))
            {
                await purge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var insert = connection.Command($"""
                INSERT INTO {_s}.idempotency_key (workspace_id, owner, key, fingerprint, job_id, created_at) VALUES (@ws, @owner, @key, @fingerprint, @job, @at)
                ON CONFLICT (workspace_id, owner, key) DO NOTHING
                """, transaction,
                ("ws", record.Workspace), ("owner", record.Owner), ("key", record.Key), ("fingerprint", record.Fingerprint),
                ("job", record.JobId), ("at", ToDb(record.CreatedAt))))
            {
                if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
                {
                    return new ClaimedIdempotencyKey(record, Inserted: true);
                }
            }

            await using var select = connection.Command(
                $"SELECT fingerprint, job_id, created_at FROM {_s}.idempotency_key WHERE workspace_id = @ws AND owner = @owner AND key = @key",
                transaction, ("ws", record.Workspace), ("owner", record.Owner), ("key", record.Key));
            var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                return new ClaimedIdempotencyKey(record with { Fingerprint = reader.GetString(0), JobId = reader.GetGuid(1), CreatedAt = Instant(reader, 2) },
                    Inserted: false);
            }
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask ReleaseAsync(IdempotencyRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await _database.WriteAsync(async (connection, transaction) =>
        {
            await using var delete = connection.Command(
                $"DELETE FROM {_s}.idempotency_key WHERE workspace_id = @ws AND owner = @owner AND key = @key AND job_id = @job", transaction,
                ("ws", record.Workspace), ("owner", record.Owner), ("key", record.Key), ("job", record.JobId));
            return await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }
}
