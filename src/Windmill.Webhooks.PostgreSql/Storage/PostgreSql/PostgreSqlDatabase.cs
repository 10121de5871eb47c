using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Windmill.Webhooks.Storage.PostgreSql;

/// <summary>
/// One PostgreSQL database (one schema in it) shared by the PostgreSQL stores of every process that points at it. Each
/// write is one transaction on a pooled connection: PostgreSQL's own row locks and <c>FOR UPDATE SKIP LOCKED</c> keep
/// processes apart, so there is no coordination of our own. The schema is created and migrated on first use, under an
/// advisory lock, so replicas starting together migrate once. A server that is down or unreachable surfaces as
/// <see cref="StorageUnavailableException"/> (HTTP 503); the pool reconnects by itself once it is back.
/// </summary>
public sealed partial class PostgreSqlDatabase : IAsyncDisposable
{
    private const int MaxAttempts = 3;
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly ILogger<PostgreSqlDatabase> _logger;
    private readonly SemaphoreSlim _initGate = new(1, 1);
    private volatile bool _initialized;
    private int _disposed;

    /// <summary>Creates the database over <paramref name="dataSource"/>; nothing is opened yet.</summary>
    /// <param name="dataSource">The connections.</param>
    /// <param name="schema">The schema of the tables; see <see cref="PostgreSqlStorageOptions.Schema"/>.</param>
    /// <param name="logger">Where start-up and migrations are logged.</param>
    /// <param name="ownsDataSource">Whether disposing the database disposes <paramref name="dataSource"/>.</param>
    public PostgreSqlDatabase(NpgsqlDataSource dataSource, string schema, ILogger<PostgreSqlDatabase> logger, bool ownsDataSource = false)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        if (!IsValidSchema(schema))
        {
            throw new ArgumentException(
                $"'{schema}' is not a usable schema name: use lowercase letters, digits and '_', starting with a letter or '_', at most 48 characters.",
                nameof(schema));
        }

        _dataSource = dataSource;
        Schema = schema;
        _logger = logger;
        _ownsDataSource = ownsDataSource;
    }

    /// <summary>The schema that holds the tables.</summary>
    public string Schema { get; }

    /// <summary>The channel of this schema's LISTEN/NOTIFY signals.</summary>
    internal string Channel => "windmill_" + Schema;

    /// <summary>The connections.</summary>
    internal NpgsqlDataSource DataSource => _dataSource;

    /// <summary>
    /// Creates the schema or applies its pending migrations, once. Throws <see cref="InvalidOperationException"/> when the schema
    /// is at a newer version than this package knows, and <see cref="StorageUnavailableException"/> when the server cannot be
    /// reached (a later call tries again).
    /// </summary>
    public async ValueTask EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
        {
            return;
        }

        await _initGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }

            var connection = await OpenRawAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                try
                {
                    var (from, to) = await PostgreSqlSchema.MigrateAsync(connection, Schema, PostgreSqlSchema.LatestVersion, cancellationToken)
                        .ConfigureAwait(false);
                    if (from != to)
                    {
                        Log.Migrated(_logger, Schema, from, to);
                    }
                }
                catch (NpgsqlException e) when (!cancellationToken.IsCancellationRequested)
                {
                    throw PostgreSqlStorageFailures.Translate(e);
                }
            }

            _initialized = true;
            Log.Opened(_logger, Schema, PostgreSqlSchema.LatestVersion);
        }
        finally
        {
            _initGate.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction and commits it. It runs again (up to three times in all) after a
    /// serialization failure or deadlock, and after a pooled connection turned out broken (a server restart or failover left
    /// it dead in the pool) as long as the break came before the commit was sent: until then the server keeps nothing of it. If
    /// <paramref name="work"/> throws, nothing of it is kept.
    /// </summary>
    internal async ValueTask<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var committing = false;
            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await using (connection.ConfigureAwait(false))
                {
                    var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                    await using (transaction.ConfigureAwait(false))
                    {
                        var result = await work(connection, transaction).ConfigureAwait(false);
                        committing = true;
                        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                        return result;
                    }
                }
            }
            catch (Exception e) when (attempt < MaxAttempts && !cancellationToken.IsCancellationRequested
                && (PostgreSqlStorageFailures.IsRetryable(e) || (!committing && IsBrokenConnection(e))))
            {
                Log.Retrying(_logger, e, attempt);
            }
            catch (Exception e) when (e is NpgsqlException && !cancellationToken.IsCancellationRequested)
            {
                IsBrokenConnection(e);
                throw PostgreSqlStorageFailures.Translate(e);
            }
        }
    }

    /// <summary>Streams the rows of a read query, mapped by <paramref name="read"/>.</summary>
    internal async IAsyncEnumerable<T> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read,
        [EnumeratorCancellation] CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var (connection, command, reader) = await ExecuteReaderAsync(sql, parameters, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        await using (command.ConfigureAwait(false))
        await using (reader.ConfigureAwait(false))
        {
            while (await ReadStorageAsync(() => reader.ReadAsync(cancellationToken), cancellationToken).ConfigureAwait(false))
            {
                yield return read(reader);
            }
        }
    }

    // Opens and executes, again on a fresh connection when a pooled one turns out broken: nothing was read yet. A connection
    // that cannot be opened at all is not tried again: the server is down, and the caller hears so at once.
    private async Task<(NpgsqlConnection, NpgsqlCommand, NpgsqlDataReader)> ExecuteReaderAsync(string sql, (string Name, object? Value)[] parameters,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            NpgsqlCommand? command = null;
            try
            {
                command = connection.Command(sql, null, parameters);
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                return (connection, command, reader);
            }
            catch (Exception e) when (attempt < MaxAttempts && !cancellationToken.IsCancellationRequested && IsBrokenConnection(e))
            {
                Log.Retrying(_logger, e, attempt);
            }
            catch (Exception e) when (e is NpgsqlException && !cancellationToken.IsCancellationRequested)
            {
                throw PostgreSqlStorageFailures.Translate(e);
            }
            catch
            {
                await DisposeAsync(command, connection).ConfigureAwait(false);
                throw;
            }

            await DisposeAsync(command, connection).ConfigureAwait(false);
        }
    }

    private static async Task DisposeAsync(NpgsqlCommand? command, NpgsqlConnection connection)
    {
        if (command is not null)
        {
            await command.DisposeAsync().ConfigureAwait(false);
        }

        await connection.DisposeAsync().ConfigureAwait(false);
    }

    // A connection-level failure (not an error the server answered): the pool's idle connections are likely dead too
    // (a server restart or failover), so they are dropped now rather than each failing one request later.
    private bool IsBrokenConnection(Exception exception)
    {
        if (exception is not NpgsqlException || exception is PostgresException)
        {
            return false;
        }

        _dataSource.Clear();
        return true;
    }

    /// <summary>The first row of a read query, or the default.</summary>
    internal async ValueTask<T?> QuerySingleAsync<T>(string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await foreach (var row in QueryAsync(sql, read, cancellationToken, parameters).ConfigureAwait(false))
        {
            return row;
        }

        return default;
    }

    /// <summary>Opens a pooled connection, the schema migrated.</summary>
    internal async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await OpenRawAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a pooled connection without migrating (the notifier's listener, the migration itself).</summary>
    internal async ValueTask<NpgsqlConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException && !cancellationToken.IsCancellationRequested)
        {
            throw PostgreSqlStorageFailures.Translate(e);
        }
    }

    /// <summary>Disposes the data source when this database created it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }

        _initGate.Dispose();
    }

    internal static bool IsValidSchema(string? schema) => schema is not null && SchemaName().IsMatch(schema);

    private static async Task<T> ReadStorageAsync<T>(Func<Task<T>> read, CancellationToken cancellationToken)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException && !cancellationToken.IsCancellationRequested)
        {
            throw PostgreSqlStorageFailures.Translate(e);
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,47}$", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaName();
}
