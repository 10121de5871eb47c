using Microsoft.Data.Sqlite;
using Windmill.Webhooks.Idempotency;
using Windmill.Webhooks.Storage.InMemory;
using Windmill.Webhooks.Storage.Sqlite;

namespace Windmill.Webhooks.Tests.Storage;

/// <summary>What both idempotency stores must do.</summary>
public abstract class IdempotencyStoreTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 31, 10, 0, 0, TimeSpan.Zero);

    private protected abstract IIdempotencyStore Store { get; }

    [Fact]
    public async Task First_claim_inserts_and_a_second_finds_the_first()
    {
        var first = Record("k", "f1", Guid.CreateVersion7());

        var claimed = await Store.ClaimAsync(first, Now.AddDays(-1), CancellationToken.None);
        var again = await Store.ClaimAsync(Record("k", "f2", Guid.CreateVersion7()), Now.AddDays(-1), CancellationToken.None);

        Assert.Equal((first, true), claimed);
        Assert.Equal((first, false), again);
    }

    [Fact]
    public async Task Keys_are_per_workspace_and_owner()
    {
        await Store.ClaimAsync(Record("k", "f", Guid.CreateVersion7()), Now.AddDays(-1), CancellationToken.None);

        Assert.True((await Store.ClaimAsync(Record("k", "f", Guid.CreateVersion7()) with { Owner = "bob" }, Now.AddDays(-1), CancellationToken.None)).Inserted);
        Assert.True((await Store.ClaimAsync(Record("k", "f", Guid.CreateVersion7()) with { Workspace = "ops" }, Now.AddDays(-1), CancellationToken.None)).Inserted);
    }

    [Fact]
    public async Task An_expired_key_is_forgotten()
    {
        await Store.ClaimAsync(Record("k", "f1", Guid.CreateVersion7()), Now.AddDays(-1), CancellationToken.None);
        var renewed = Record("k", "f2", Guid.CreateVersion7()) with { CreatedAt = Now.AddDays(2) };

        Assert.Equal((renewed, true), await Store.ClaimAsync(renewed, Now.AddDays(1), CancellationToken.None));
    }

    [Fact]
    public async Task Release_frees_the_key_only_for_its_own_job()
    {
        var held = Record("k", "f", Guid.CreateVersion7());
        await Store.ClaimAsync(held, Now.AddDays(-1), CancellationToken.None);

        await Store.ReleaseAsync(held with { JobId = Guid.CreateVersion7() }, CancellationToken.None);
        var stillHeld = await Store.ClaimAsync(Record("k", "f", Guid.CreateVersion7()), Now.AddDays(-1), CancellationToken.None);
        await Store.ReleaseAsync(held, CancellationToken.None);
        var free = await Store.ClaimAsync(Record("k", "f", Guid.CreateVersion7()), Now.AddDays(-1), CancellationToken.None);

        Assert.False(stillHeld.Inserted);
        Assert.True(free.Inserted);
    }

    private protected static IdempotencyRecord Record(string key, string fingerprint, Guid job) => new("demo", "alice", key, fingerprint, job, Now);
}

public sealed class InMemoryIdempotencyStoreTests : IdempotencyStoreTests
{
    private protected override IIdempotencyStore Store { get; } = new InMemoryIdempotencyStore();
}

public sealed class SqliteIdempotencyStoreTests : IdempotencyStoreTests, IAsyncLifetime
{
    private readonly TemporaryDatabase _file = new();
    private SqliteIdempotencyStore? _store;

    private protected override IIdempotencyStore Store => _store ??= new SqliteIdempotencyStore(_file.Open());

    [Fact]
    public async Task Keys_survive_a_restart()
    {
        var held = Record("durable", "f", Guid.CreateVersion7());
        var before = _file.Open();
        await new SqliteIdempotencyStore(before).ClaimAsync(held, held.CreatedAt.AddDays(-1), CancellationToken.None);
        await before.DisposeAsync();

        var after = await new SqliteIdempotencyStore(_file.Open()).ClaimAsync(Record("durable", "other", Guid.CreateVersion7()), held.CreatedAt.AddDays(-1),
            CancellationToken.None);

        Assert.Equal((held, false), after);
    }

    [Fact]
    public async Task A_version_1_database_migrates_and_keeps_its_jobs()
    {
        using (var connection = new SqliteConnection(_file.ConnectionString))
        {
            connection.Open();
            var version1 = ((string[])typeof(SqliteSchema).GetField("Migrations", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .GetValue(null)!)[0];
            using var command = connection.CreateCommand();
            command.CommandText = version1 + """
                ;PRAGMA user_version = 1;
                INSERT INTO job (id, workspace_id, kind, script_path, script_hash, args, created_by, permissioned_as, created_at, scheduled_for, status, tag)
                VALUES ('0190f6b2-3c1e-7d2a-9b1f-0f9a1c2b3d4e', 'demo', 'script', 'u/bot/old', 1, '{}', 'alice', 'u/alice', 0, 0, 'queued', 'default');
                """;
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        var job = await new SqliteJobStore(_file.Open()).GetAsync(Guid.Parse("0190f6b2-3c1e-7d2a-9b1f-0f9a1c2b3d4e"), CancellationToken.None);

        Assert.Equal(("u/bot/old", true, null, null), (job?.ScriptPath, job?.VisibleToOwner, job?.RootJob, job?.Timeout));
        Assert.Equal((false, 0, Windmill.Webhooks.Jobs.JobStatus.Queued), (job?.IsFlowStep, job?.PendingChildren, job?.Status));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _file.DisposeAsync().AsTask();
}
