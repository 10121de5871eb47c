using System.Globalization;
using Npgsql;

namespace Windmill.Webhooks.CrashTest;

/// <summary>
/// A database of the run's own on a PostgreSQL server (<c>--postgres</c>): created at the start, named in the sample's connection
/// string (the sample picks PostgreSQL for <c>Host=</c>), and dropped after a run that passed. The sample's tables are in the
/// schema <c>windmill</c>. The transition record is a PL/pgSQL trigger: it is written in the same transaction as the change it
/// records, as the SQLite triggers are.
/// </summary>
internal sealed class PostgreSqlCrashDatabase : ICrashDatabase
{
    private const string Schema = "windmill";

    // Instants as the stores keep them: UTC ticks (100 ns since 0001-01-01).
    private const string NowTicks = "((extract(epoch FROM clock_timestamp()) * 10000000)::bigint + 621355968000000000)";

    private readonly string _server;
    private readonly string _database;
    private bool _keep;

    private PostgreSqlCrashDatabase(string server, string database)
    {
        _server = server;
        _database = database;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
    }

    public string ConnectionString { get; }

    public string Description => $"PostgreSQL database {_database}";

    /// <summary>Creates a new database on the server that <paramref name="serverConnectionString"/> reaches (as a user that may create one).</summary>
    public static async Task<PostgreSqlCrashDatabase> CreateAsync(string serverConnectionString, CancellationToken cancellationToken)
    {
        var name = "windmill_crash_" + Guid.NewGuid().ToString("N")[..16];
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return new PostgreSqlCrashDatabase(serverConnectionString, name);
    }

    /// <summary>Keeps the database after the run (a failed run, or <c>--keep</c>), for a look at what went wrong.</summary>
    public void Keep() => _keep = true;

    public void InstallTransitions() => Execute($"""
        CREATE TABLE IF NOT EXISTS crash_test_job_transition (
            seq bigserial PRIMARY KEY,
            job_id uuid NOT NULL,
            old_status text,
            new_status text NOT NULL,
            old_owner text,
            new_owner text,
            old_lease_until bigint,
            restart_count integer NOT NULL,
            at bigint NOT NULL
        );
        CREATE OR REPLACE FUNCTION crash_test_record_transition() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO crash_test_job_transition (job_id, new_status, new_owner, restart_count, at)
                VALUES (NEW.id, NEW.status, NEW.lease_owner, NEW.restart_count, {NowTicks});
            ELSIF OLD.status IS DISTINCT FROM NEW.status OR OLD.lease_owner IS DISTINCT FROM NEW.lease_owner THEN
                INSERT INTO crash_test_job_transition (job_id, old_status, new_status, old_owner, new_owner, old_lease_until, restart_count, at)
                VALUES (NEW.id, OLD.status, NEW.status, OLD.lease_owner, NEW.lease_owner, OLD.lease_until, NEW.restart_count, {NowTicks});
            END IF;
            RETURN NULL;
        END $$;
        DROP TRIGGER IF EXISTS crash_test_job_transition ON {Schema}.job;
        CREATE TRIGGER crash_test_job_transition AFTER INSERT OR UPDATE ON {Schema}.job
            FOR EACH ROW EXECUTE FUNCTION crash_test_record_transition();
        """);

    public async Task<long> WaitUntilDrainedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await DatabaseVerifier.PollUntilAsync(() => CountUnfinished() == 0, TimeSpan.FromMilliseconds(100), timeout, cancellationToken).ConfigureAwait(false);
        return CountUnfinished();
    }

    public Task<bool> WaitUntilSleepRunsInAsync(int processId, TimeSpan timeLeft, TimeSpan timeout, CancellationToken cancellationToken) =>
        DatabaseVerifier.PollUntilAsync(() => Scalar<long>($"""
            SELECT count(*) FROM {Schema}.job
            WHERE status = 'running' AND script_path = 'u/bot/sleep' AND lease_owner LIKE @owner
              AND started_at + (args::json->>'ms')::bigint * 10000 > @until
            """, ("owner", $"%/{processId}/%"), ("until", (TimeProvider.System.GetUtcNow() + timeLeft).UtcTicks)) > 0,
            TimeSpan.FromMilliseconds(10), timeout, cancellationToken);

    public DatabaseFindings Verify(Acknowledgements acknowledgements, IReadOnlyList<SampleLifetime> lifetimes)
    {
        using var connection = Open();

        // What SQLite's integrity_check stands for here: the queue's own invariants (a running job holds a lease; a finished one none).
        var broken = Rows(connection, $"""
            SELECT id::text || ' ' || status FROM {Schema}.job
            WHERE (status = 'running') <> (lease_owner IS NOT NULL AND lease_until IS NOT NULL)
            """, reader => reader.GetString(0));
        var integrity = broken.Count == 0 ? "ok" : "lease invariant broken: " + string.Join("; ", broken);
        var jobs = Rows(connection, $"""
            SELECT id, status, restart_count, args::json->>'nonce', result::json->'error'->>'name', lease_owner, parent_job, kind, script_path,
                result::text
            FROM {Schema}.job
            """,
            reader => new StoredJob(reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5))
            {
                ParentJob = reader.IsDBNull(6) ? null : reader.GetGuid(6),
                Kind = reader.GetString(7),
                ScriptPath = reader.GetString(8),
                Result = reader.IsDBNull(9) ? null : reader.GetString(9),
            })
            .ToDictionary(job => job.Id);
        var audited = Rows(connection, $"SELECT parameters::json->>'uuid' FROM {Schema}.audit WHERE operation IN ('jobs.run.script', 'jobs.run.flow')",
                reader => reader.IsDBNull(0) ? Guid.Empty : Guid.Parse(reader.GetString(0), CultureInfo.InvariantCulture))
            .ToHashSet();
        var transitions = Rows(connection, """
            SELECT job_id, old_status, new_status, old_owner, new_owner, old_lease_until, restart_count, at FROM crash_test_job_transition ORDER BY seq
            """,
            reader => new JobTransition(reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero), reader.GetInt32(6),
                new DateTimeOffset(reader.GetInt64(7), TimeSpan.Zero)));
        return DatabaseVerifier.Check(integrity, jobs, audited, transitions, acknowledgements, lifetimes);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_keep)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private long CountUnfinished() => Scalar<long>($"SELECT count(*) FROM {Schema}.job WHERE status IN ('queued', 'running')");

    // Not pooled: the checks poll now and then, and the database is dropped at the end.
    private NpgsqlConnection Open()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        return connection;
    }

    private void Execute(string sql)
    {
        using var connection = Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private T Scalar<T>(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open();
        using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)command.ExecuteScalar()!;
    }

    private static List<T> Rows<T>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> read)
    {
        using var command = new NpgsqlCommand(sql, connection);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
