using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Windmill.Webhooks.Storage.Sqlite;

/// <summary>
/// One SQLite database shared by the SQLite stores. Reads use pooled connections (WAL lets them run
/// beside the writer). All writes go through one connection and are <b>group-committed</b>: the writes
/// that arrive while a commit is in flight share the next transaction, and each caller is answered
/// only after the commit that holds its write. Statements run on the writer are prepared once and kept
/// (see <see cref="SqliteConnectionExtensions.Prepared"/>), so a write costs a bind and a step, not a parse.
/// </summary>
public sealed partial class SqliteDatabase : IAsyncDisposable, IDisposable
{
    private readonly string _connectionString;
    private readonly SqliteStorageOptions _options;
    private readonly ILogger<SqliteDatabase> _logger;
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _initGate = new(1, 1);

    /// <summary>The prepared commands of each open writer connection, used by <see cref="SqliteConnectionExtensions.Prepared"/>.</summary>
    internal static readonly ConditionalWeakTable<SqliteConnection, Dictionary<string, SqliteCommand>> PreparedCommands = new();

    private SqliteConnection? _writer;
    private Task? _writeLoop;
    private volatile bool _initialized;

    /// <summary>Creates the database over <see cref="SqliteStorageOptions.ConnectionString"/>; nothing is opened yet.</summary>
    public SqliteDatabase(IOptions<SqliteStorageOptions> options, ILogger<SqliteDatabase> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        var builder = new SqliteConnectionStringBuilder(_options.ConnectionString)
        {
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        };
        _connectionString = builder.ToString();
        DataSource = builder.DataSource;
    }

    /// <summary>The database file.</summary>
    public string DataSource { get; }

    /// <summary>Opens the database, applies pending migrations and starts the writer. Safe to call often.</summary>
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

            var synchronous = SynchronousMode(_options.Synchronous);
            var writer = new SqliteConnection(_connectionString);
            try
            {
                writer.Open();
                Execute(writer, $"PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; PRAGMA busy_timeout = 30000;");
                SqliteSchema.Migrate(writer);
            }
            catch (SqliteException e) when (SqliteStorageFailures.IsStorageFailure(e))
            {
                writer.Dispose();
                throw SqliteStorageFailures.Translate(e);
            }
            catch
            {
                writer.Dispose();
                throw;
            }

            _writer = writer;
            PreparedCommands.Add(writer, new Dictionary<string, SqliteCommand>(StringComparer.Ordinal));
            _writeLoop = Task.Run(WriteLoopAsync, CancellationToken.None);
            _initialized = true;
            Log.Opened(_logger, DataSource, SqliteSchema.LatestVersion);
        }
        finally
        {
            _initGate.Release();
        }
    }

    /// <summary>Opens a pooled connection for reading.</summary>
    public async ValueTask<SqliteConnection> OpenReadConnectionAsync(CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (SqliteStorageFailures.IsStorageFailure(e))
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw SqliteStorageFailures.Translate(e);
        }

        return connection;
    }

    /// <summary>Streams the rows of a read query, mapped by <paramref name="read"/>.</summary>
    internal async IAsyncEnumerable<T> QueryAsync<T>(string sql, Func<SqliteDataReader, T> read,
        [EnumeratorCancellation] CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var connection = await OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.Command(sql, parameters);
            var reader = await ReadStorageAsync(() => command.ExecuteReaderAsync(cancellationToken)).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await ReadStorageAsync(() => reader.ReadAsync(cancellationToken)).ConfigureAwait(false))
                {
                    yield return read(reader);
                }
            }
        }
    }

    // A read that the storage refuses surfaces as StorageUnavailableException, like a refused write.
    private static async Task<T> ReadStorageAsync<T>(Func<Task<T>> read)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (SqliteException e) when (SqliteStorageFailures.IsStorageFailure(e))
        {
            throw SqliteStorageFailures.Translate(e);
        }
    }

    /// <summary>The first row of a read query, or the default.</summary>
    internal async ValueTask<T?> QuerySingleAsync<T>(string sql, Func<SqliteDataReader, T> read, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await foreach (var row in QueryAsync(sql, read, cancellationToken, parameters).ConfigureAwait(false))
        {
            return row;
        }

        return default;
    }

    /// <summary>
    /// Runs <paramref name="write"/> inside the next group commit and returns its result once that commit
    /// is durable. If <paramref name="write"/> throws, only its own changes are rolled back.
    /// </summary>
    public async ValueTask<T> WriteAsync<T>(Func<SqliteConnection, T> write, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var pending = new PendingWrite(connection => write(connection));
        ObjectDisposedException.ThrowIf(!_writes.Writer.TryWrite(pending), this);

        // Once queued, the write happens whether or not this caller still waits for it.
        return (T)(await pending.Completion.Task.ConfigureAwait(false))!;
    }

    /// <summary>Stops the writer after the queued writes and closes the database.</summary>
    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        if (_writeLoop is not null)
        {
            await _writeLoop.ConfigureAwait(false);
        }

        if (_writer is not null)
        {
            if (PreparedCommands.TryGetValue(_writer, out var prepared))
            {
                foreach (var command in prepared.Values)
                {
                    await command.DisposeAsync().ConfigureAwait(false);
                }

                PreparedCommands.Remove(_writer);
            }

            await _writer.DisposeAsync().ConfigureAwait(false);
        }

        using (var pooled = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(pooled);
        }

        _initGate.Dispose();
    }

    /// <summary>Stops the writer after the queued writes and closes the database.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>(_options.MaxWritesPerCommit);
        var reader = _writes.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < _options.MaxWritesPerCommit && reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            Commit(batch);
            batch.Clear();
        }
    }

    private void Commit(List<PendingWrite> batch)
    {
        var connection = _writer!;
        var results = new object?[batch.Count];
        var errors = new Exception?[batch.Count];

        // A batch of one needs no savepoint: if its write fails, rolling back the transaction undoes only its changes.
        var savepoints = batch.Count > 1;
        try
        {
            connection.Prepared("BEGIN IMMEDIATE").ExecuteNonQuery();
            for (var i = 0; i < batch.Count; i++)
            {
                if (savepoints)
                {
                    connection.Prepared("SAVEPOINT write").ExecuteNonQuery();
                }

                try
                {
                    results[i] = batch[i].Write(connection);
                    if (savepoints)
                    {
                        connection.Prepared("RELEASE write").ExecuteNonQuery();
                    }
                }
#pragma warning disable CA1031 // One failed write is handed to its own caller; the rest of the batch commits.
                catch (Exception e) when (!connection.AutoCommit())
#pragma warning restore CA1031
                {
                    // SQLite kept the transaction (a failure with no transaction left, such as a full disk, fails the whole batch).
                    errors[i] = SqliteStorageFailures.Translate(e);
                    if (!savepoints)
                    {
                        TryRollback(connection);
                        batch[i].Completion.TrySetException(errors[i]!);
                        return;
                    }

                    connection.Prepared("ROLLBACK TO write").ExecuteNonQuery();
                    connection.Prepared("RELEASE write").ExecuteNonQuery();
                }
            }

            connection.Prepared("COMMIT").ExecuteNonQuery();
        }
#pragma warning disable CA1031 // A failed commit fails every write in it, reported to each caller.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.CommitFailed(_logger, e, batch.Count);
            TryRollback(connection);
            var failure = SqliteStorageFailures.Translate(e);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(failure);
            }

            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (errors[i] is { } error)
            {
                batch[i].Completion.TrySetException(error);
            }
            else
            {
                batch[i].Completion.TrySetResult(results[i]);
            }
        }
    }

    private static void TryRollback(SqliteConnection connection)
    {
        try
        {
            if (!connection.AutoCommit())
            {
                Execute(connection, "ROLLBACK");
            }
        }
        catch (SqliteException)
        {
            // Already rolled back by SQLite itself.
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string SynchronousMode(string value) => value.ToUpperInvariant() switch
    {
        "OFF" or "NORMAL" or "FULL" or "EXTRA" => value.ToUpperInvariant(),
        _ => throw new ArgumentException($"SQLite synchronous mode must be OFF, NORMAL, FULL or EXTRA, not '{value}'."),
    };

    private sealed class PendingWrite(Func<SqliteConnection, object?> write)
    {
        public Func<SqliteConnection, object?> Write { get; } = write;

        public TaskCompletionSource<object?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

internal static class SqliteConnectionExtensions
{
    public static bool AutoCommit(this SqliteConnection connection) =>
        SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) != 0;

    /// <summary>
    /// The writer's command for <paramref name="sql"/>, prepared on first use and kept for the writer's
    /// lifetime, with <paramref name="parameters"/> bound. Only inside <see cref="SqliteDatabase.WriteAsync"/>;
    /// the command belongs to the writer: do not dispose it, and dispose its readers before the write returns.
    /// </summary>
    public static SqliteCommand Prepared(this SqliteConnection connection, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        if (!SqliteDatabase.PreparedCommands.TryGetValue(connection, out var commands))
        {
            throw new InvalidOperationException("Prepared commands exist only on the writer connection, inside SqliteDatabase.WriteAsync.");
        }

        if (!commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, _) in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            commands.Add(sql, command);
        }

        var bound = command.Parameters;
        if (bound.Count != parameters.Length)
        {
            throw new ArgumentException($"The prepared command takes {bound.Count} parameters, not {parameters.Length}.", nameof(parameters));
        }

        for (var i = 0; i < parameters.Length; i++)
        {
            if (!string.Equals(bound[i].ParameterName, parameters[i].Name, StringComparison.Ordinal))
            {
                throw new ArgumentException($"The prepared command's parameter {i} is {bound[i].ParameterName}, not {parameters[i].Name}.", nameof(parameters));
            }

            bound[i].Value = parameters[i].Value ?? DBNull.Value;
        }

        return command;
    }
}
