using Microsoft.Data.Sqlite;
using Windmill.Webhooks.Idempotency;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Storage.Sqlite;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.Tests.Storage;

public sealed class SqliteDatabaseTests : IAsyncLifetime
{
    private readonly TemporaryDatabase _file = new();

    [Fact]
    public async Task Opens_in_wal_mode_at_the_latest_schema_version()
    {
        var database = _file.Open();
        await database.EnsureInitializedAsync(CancellationToken.None);

        await using var connection = await database.OpenReadConnectionAsync(CancellationToken.None);
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode"));
        Assert.Equal((long)SqliteSchema.LatestVersion, Scalar(connection, "PRAGMA user_version"));
    }

    [Fact]
    public async Task Commits_are_fsynced_by_default()
    {
        var database = _file.Open();

        var synchronous = await database.WriteAsync(connection => Scalar(connection, "PRAGMA synchronous"), CancellationToken.None);

        Assert.Equal(2L, synchronous); // FULL
    }

    [Fact]
    public async Task Concurrent_writes_share_commits_and_all_land()
    {
        var database = _file.Open();
        await database.WriteAsync(c => Execute(c, "CREATE TABLE t (n INTEGER)"), CancellationToken.None);

        await Task.WhenAll(Enumerable.Range(0, 1000).Select(i =>
            database.WriteAsync(c => Execute(c, $"INSERT INTO t VALUES ({i})"), CancellationToken.None).AsTask()));

        await using var connection = await database.OpenReadConnectionAsync(CancellationToken.None);
        Assert.Equal(1000L, Scalar(connection, "SELECT count(DISTINCT n) FROM t"));
    }

    [Fact]
    public async Task A_failing_write_rolls_back_alone_and_reaches_only_its_caller()
    {
        var database = _file.Open();
        await database.WriteAsync(c => Execute(c, "CREATE TABLE t (n INTEGER PRIMARY KEY)"), CancellationToken.None);

        var writes = Enumerable.Range(0, 100).Select(i => database.WriteAsync(c =>
        {
            Execute(c, $"INSERT INTO t VALUES ({i + 1000})");
            return i == 50 ? Execute(c, "INSERT INTO t VALUES (1050)") : 1; // the duplicate fails this write only
        }, CancellationToken.None).AsTask()).ToArray();
        var outcomes = await Task.WhenAll(writes.Select(async w => { try { await w; return true; } catch (SqliteException) { return false; } }));

        Assert.Equal(99, outcomes.Count(ok => ok));
        Assert.False(outcomes[50]);
        await using var connection = await database.OpenReadConnectionAsync(CancellationToken.None);
        Assert.Equal(99L, Scalar(connection, "SELECT count(*) FROM t"));
    }

    [Fact]
    public async Task Tokens_survive_a_restart()
    {
        var first = _file.Open();
        var token = new ApiToken
        {
            TokenHash = new string('a', 64),
            Prefix = "abcdefghij",
            Owner = "alice",
            CreatedAt = DateTimeOffset.UnixEpoch,
            LastUsedAt = DateTimeOffset.UnixEpoch,
        };
        await new SqliteTokenStore(first).CreateAsync(token, CancellationToken.None);
        await first.DisposeAsync();

        var found = await new SqliteTokenStore(_file.Open()).FindByHashAsync(token.TokenHash, CancellationToken.None);

        Assert.Equal("alice", found?.Owner);
    }

    [Fact]
    public async Task Idempotency_keys_survive_a_restart()
    {
        var held = new IdempotencyRecord("demo", "alice", "durable", "f", Guid.CreateVersion7(), DateTimeOffset.UnixEpoch);
        var first = _file.Open();
        await new SqliteIdempotencyStore(first).ClaimAsync(held, held.CreatedAt.AddDays(-1), CancellationToken.None);
        await first.DisposeAsync();

        var after = await new SqliteIdempotencyStore(_file.Open()).ClaimAsync(held with { Fingerprint = "other", JobId = Guid.CreateVersion7() },
            held.CreatedAt.AddDays(-1), CancellationToken.None);

        Assert.Equal(new ClaimedIdempotencyKey(held, Inserted: false), after);
    }

    [Fact]
    public async Task A_version_1_database_migrates_and_keeps_its_jobs()
    {
        CreateAtVersion(1, """
                INSERT INTO job (id, workspace_id, kind, script_path, script_hash, args, created_by, permissioned_as, created_at, scheduled_for, status, tag)
                VALUES ('0190f6b2-3c1e-7d2a-9b1f-0f9a1c2b3d4e', 'demo', 'script', 'u/bot/old', 1, '{}', 'alice', 'u/alice', 0, 0, 'queued', 'default');
                """);
        var job = await new SqliteJobStore(_file.Open()).GetAsync(Guid.Parse("0190f6b2-3c1e-7d2a-9b1f-0f9a1c2b3d4e"), CancellationToken.None);

        Assert.Equal(("u/bot/old", true, null, null), (job?.Runnable.Path, job?.VisibleToOwner, job?.RootJob, job?.Timeout));
        Assert.Equal((false, 0, JobStatus.Queued), (job?.IsFlowStep, job?.PendingChildren, job?.Status));
    }

    [Fact]
    public async Task A_version_4_database_migrates_and_its_scripts_still_read_and_take_compiled_versions()
    {
        CreateAtVersion(4, """
                INSERT INTO script (workspace_id, hash, path, language, content, summary, description, created_by, created_at, timeout_ms)
                VALUES ('demo', 7, 'u/bot/old', 'csharp', 'old content', '', '', 'system', 0, NULL);
                """);
        var store = new Windmill.Webhooks.Storage.Sqlite.SqliteScriptStore(_file.Open());
        var old = await store.GetByHashAsync("demo", new Windmill.Webhooks.Scripts.ScriptHash(7), CancellationToken.None);
        await store.AddVersionAsync(old! with { Hash = new(8), ParentHash = new(7), Language = "bun", Content = "new", CompiledCode = "compiled" }, null,
            CancellationToken.None);
        var compiled = await store.GetLatestAsync("demo", "u/bot/old", CancellationToken.None);

        Assert.Equal(("old content", null), (old.Content, old.CompiledCode));
        Assert.Equal(("compiled", 7L), (compiled?.CompiledCode, compiled?.ParentHash?.Value));
    }

    [Fact]
    public async Task A_version_6_database_migrates_keeps_its_jobs_and_scripts_and_stores_flows()
    {
        CreateAtVersion(6, """
                INSERT INTO job (id, workspace_id, kind, script_path, script_hash, args, created_by, permissioned_as, created_at, scheduled_for, status, tag)
                VALUES ('0190f6b2-3c1e-7d2a-9b1f-0f9a1c2b3d4e', 'demo', 'script', 'u/bot/old', 1, '{}', 'alice', 'u/alice', 0, 0, 'queued', 'default');
                INSERT INTO script (workspace_id, hash, path, language, content, summary, description, created_by, created_at)
                VALUES ('demo', 7, 'u/bot/old', 'csharp', 'old content', '', '', 'system', 0);
                """);
        var database = _file.Open();
        var job = await new SqliteJobStore(database).GetAsync(Guid.Parse("0190f6b2-3c1e-7d2a-9b1f-0f9a1c2b3d4e"), CancellationToken.None);
        var script = await new SqliteScriptStore(database).GetByHashAsync("demo", new Windmill.Webhooks.Scripts.ScriptHash(7), CancellationToken.None);
        var flows = new SqliteFlowStore(database);
        var flow = await flows.AddVersionAsync(new Windmill.Webhooks.Flows.FlowVersion
        {
            Workspace = "demo",
            Path = "f/examples/greet",
            Id = 0,
            Value = System.Text.Json.JsonDocument.Parse("""{"modules":[]}""").RootElement,
            CreatedBy = "alice",
            CreatedAt = DateTimeOffset.UnixEpoch,
        }, null, null, CancellationToken.None);
        await using var read = await database.OpenReadConnectionAsync(CancellationToken.None);

        Assert.Equal(7, SqliteSchema.LatestVersion);
        Assert.Equal(7L, Scalar(read, "PRAGMA user_version"));
        Assert.Equal(("u/bot/old", JobStatus.Queued, "old content"), (job?.Runnable.Path, job?.Status, script?.Content));
        Assert.Equal(DBNull.Value, Scalar(read, "SELECT flow_status FROM job"));
        Assert.Equal("""{"modules":[]}""", (await flows.GetVersionAsync("demo", flow.Id, CancellationToken.None))?.Value.GetRawText());
    }

    [Fact]
    public async Task A_database_from_a_newer_release_is_refused_with_a_clear_message()
    {
        var first = _file.Open();
        await first.WriteAsync(c => Execute(c, "PRAGMA user_version = 99"), CancellationToken.None);
        await first.DisposeAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await _file.Open().EnsureInitializedAsync(CancellationToken.None));

        Assert.Equal($"The database is at schema version 99, newer than this release of Windmill.Webhooks supports ({SqliteSchema.LatestVersion}).",
            error.Message);
    }

    [Fact]
    public async Task An_unknown_synchronous_mode_is_refused()
    {
        var database = _file.Open(synchronous: "SOMETIMES");

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await database.EnsureInitializedAsync(CancellationToken.None));

        Assert.Equal("SQLite synchronous mode must be OFF, NORMAL, FULL or EXTRA, not 'SOMETIMES'.", error.Message);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _file.DisposeAsync();

    // A database as an older release left it: the first <paramref name="version"/> migrations, then <paramref name="rows"/>.
    private void CreateAtVersion(int version, string rows)
    {
        using (var connection = new SqliteConnection(_file.ConnectionString))
        {
            connection.Open();
            var migrations = (string[])typeof(SqliteSchema).GetField("Migrations", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .GetValue(null)!;
            using var command = connection.CreateCommand();
            command.CommandText = string.Join(";\n", migrations[..version]) + $";PRAGMA user_version = {version};\n" + rows;
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
    }

    private static int Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
