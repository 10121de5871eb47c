using Microsoft.Data.Sqlite;
using Windmill.Webhooks.Tokens;
using static Windmill.Webhooks.Storage.Sqlite.SqliteValues;
using static Windmill.Webhooks.Storage.TokenRows;

namespace Windmill.Webhooks.Storage.Sqlite;

/// <summary>The SQLite <see cref="ITokenStore"/>. It stores SHA-256 hashes, never a plaintext token.</summary>
public sealed class SqliteTokenStore : ITokenStore
{
    private readonly SqliteDatabase _database;

    /// <summary>Creates the store over <paramref name="database"/>.</summary>
    public SqliteTokenStore(SqliteDatabase database) => _database = database;

    /// <inheritdoc />
    public async ValueTask CreateAsync(ApiToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        await _database.WriteAsync(connection =>
        {
            using var insert = connection.Command($"INSERT INTO token ({Columns}) VALUES ({InsertValues})",
                [.. Values(token).Select(v => ("@" + v.Name, v.Value))]);
            try
            {
                return insert.ExecuteNonQuery();
            }
            catch (SqliteException e) when (e.IsConstraintViolation())
            {
                throw new InvalidOperationException("A token with the same hash or prefix already exists.");
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<ApiToken?> FindByHashAsync(string tokenHash, CancellationToken cancellationToken) =>
        _database.QuerySingleAsync($"SELECT {Columns} FROM token WHERE token_hash = $hash", Read, cancellationToken, ("$hash", tokenHash));

    /// <inheritdoc />
    public ValueTask<ApiToken?> FindByPrefixAsync(string prefix, CancellationToken cancellationToken) =>
        _database.QuerySingleAsync($"SELECT {Columns} FROM token WHERE token_prefix = $prefix", Read, cancellationToken, ("$prefix", prefix));

    /// <inheritdoc />
    public IAsyncEnumerable<ApiToken> ListAsync(string? owner, CancellationToken cancellationToken) =>
        _database.QueryAsync($"SELECT {Columns} FROM token WHERE $owner IS NULL OR owner = $owner ORDER BY created_at DESC, rowid DESC",
            Read, cancellationToken, ("$owner", owner));

    /// <inheritdoc />
    public ValueTask<bool> UpdateAsync(ApiToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _database.WriteAsync(connection =>
        {
            using var update = connection.Command("UPDATE token SET label = $label, scopes = $scopes, read_only = $readonly WHERE token_hash = $hash",
                ("$hash", token.TokenHash), ("$label", token.Label), ("$scopes", Scopes(token)),
                ("$readonly", token.ReadOnly));
            return update.ExecuteNonQuery() > 0;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<int> DeleteByPrefixAsync(string owner, string prefix, CancellationToken cancellationToken) =>
        _database.WriteAsync(connection =>
        {
            using var delete = connection.Command("DELETE FROM token WHERE owner = $owner AND token_prefix = $prefix", ("$owner", owner), ("$prefix", prefix));
            return delete.ExecuteNonQuery();
        }, cancellationToken);

    /// <inheritdoc />
    public async ValueTask TouchAsync(string tokenHash, DateTimeOffset usedAt, CancellationToken cancellationToken) =>
        await _database.WriteAsync(connection =>
        {
            using var touch = connection.Command("UPDATE token SET last_used_at = max(last_used_at, $at) WHERE token_hash = $hash",
                ("$hash", tokenHash), ("$at", ToDb(usedAt)));
            return touch.ExecuteNonQuery();
        }, cancellationToken).ConfigureAwait(false);

    private static ApiToken Read(SqliteDataReader reader) => TokenRows.Read(reader);
}
