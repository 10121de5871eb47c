using Npgsql;
using Windmill.Webhooks.Tokens;
using static Windmill.Webhooks.Storage.PostgreSql.PostgreSqlValues;
using static Windmill.Webhooks.Storage.TokenRows;

namespace Windmill.Webhooks.Storage.PostgreSql;

/// <summary>The PostgreSQL <see cref="ITokenStore"/>. It stores SHA-256 hashes, never a plaintext token.</summary>
public sealed class PostgreSqlTokenStore : ITokenStore
{
    private readonly PostgreSqlDatabase _database;
    private readonly string _s;

    /// <summary>Creates the store over <paramref name="database"/>.</summary>
    public PostgreSqlTokenStore(PostgreSqlDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _s = database.Schema;
    }

    /// <inheritdoc />
    public async ValueTask CreateAsync(ApiToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        await _database.WriteAsync(async (connection, transaction) =>
        {
            await using var insert = connection.Command($"INSERT INTO {_s}.token ({Columns}) VALUES ({InsertValues})", transaction, Values(token));
            try
            {
                return await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (PostgreSqlStorageFailures.IsUniqueViolation(e))
            {
                throw new InvalidOperationException("A token with the same hash or prefix already exists.");
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<ApiToken?> FindByHashAsync(string tokenHash, CancellationToken cancellationToken) =>
        _database.QuerySingleAsync($"SELECT {Columns} FROM {_s}.token WHERE token_hash = @hash", TokenRows.Read, cancellationToken, ("hash", tokenHash));

    /// <inheritdoc />
    public ValueTask<ApiToken?> FindByPrefixAsync(string prefix, CancellationToken cancellationToken) =>
        _database.QuerySingleAsync($"SELECT {Columns} FROM {_s}.token WHERE token_prefix = @prefix", TokenRows.Read, cancellationToken, ("prefix", prefix));

    /// <inheritdoc />
    public IAsyncEnumerable<ApiToken> ListAsync(string? owner, CancellationToken cancellationToken) =>
        _database.QueryAsync($"SELECT {Columns} FROM {_s}.token WHERE @owner::text IS NULL OR owner = @owner::text ORDER BY created_at DESC, seq DESC",
            Read, cancellationToken, ("owner", owner));

    /// <inheritdoc />
    public ValueTask<bool> UpdateAsync(ApiToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _database.WriteAsync(async (connection, transaction) =>
        {
            await using var update = connection.Command($"UPDATE {_s}.token SET label = @label, scopes = @scopes, read_only = @readonly WHERE token_hash = @hash",
                transaction, ("hash", token.TokenHash), ("label", token.Label),
                ("scopes", Scopes(token)), ("readonly", token.ReadOnly));
            return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<int> DeleteByPrefixAsync(string owner, string prefix, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (connection, transaction) =>
        {
            await using var delete = connection.Command($"DELETE FROM {_s}.token WHERE owner = @owner AND token_prefix = @prefix", transaction,
                ("owner", owner), ("prefix", prefix));
            return await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public async ValueTask TouchAsync(string tokenHash, DateTimeOffset usedAt, CancellationToken cancellationToken) =>
        await _database.WriteAsync(async (connection, transaction) =>
        {
            await using var touch = connection.Command($"UPDATE {_s}.token SET last_used_at = greatest(last_used_at, @at) WHERE token_hash = @hash",
                transaction, ("hash", tokenHash), ("at", ToDb(usedAt)));
            return await touch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

}
