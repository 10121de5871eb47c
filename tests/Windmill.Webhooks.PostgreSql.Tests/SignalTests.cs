using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.PostgreSql.Tests.Infrastructure;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Specification.Tests;
using Windmill.Webhooks.Storage.InMemory;
using Windmill.Webhooks.Storage.PostgreSql;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.PostgreSql.Tests;

/// <summary>
/// Signals between two "processes" (each its own pool, notifier and runner on one schema) over LISTEN/NOTIFY. The runners'
/// clock is fake and never moves, so no heartbeat or cache expiry ever fires: whatever crosses over, a notification carried.
/// </summary>
public sealed class SignalTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 1, 31, 10, 0, 0, TimeSpan.Zero));
    private readonly List<IAsyncDisposable> _disposables = [];
    private TestSchema? _schema;

    public async ValueTask InitializeAsync() => _schema = await TestSchema.CreateAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in Enumerable.Reverse(_disposables))
        {
            await disposable.DisposeAsync();
        }

        await _schema!.DisposeAsync();
    }

    [Fact]
    public async Task A_job_enqueued_on_A_wakes_an_idle_worker_on_B_and_As_sync_wait_gets_Bs_result()
    {
        var (a, _) = await StartRunnerAsync(workers: 0);
        var (b, ranByB) = await StartRunnerAsync(workers: 2);

        var job = await a.EnqueueAsync(Request(ScriptedExecutor.Succeed("from B")), CancellationToken.None);
        var completed = await a.WaitForCompletionAsync("demo", job.Id, CancellationToken.None).AsTask().WaitAsync(Patience);

        Assert.Equal((JobStatus.Success, "\"from B\"", 1), (completed!.Status, completed.Result?.GetRawText(), ranByB.Executions(job.Id)));
        Assert.Equal(0, (await b.GetAsync("demo", job.Id, CancellationToken.None))!.RestartCount);
    }

    [Fact]
    public async Task A_cancel_on_A_stops_the_job_running_on_B()
    {
        var (a, _) = await StartRunnerAsync(workers: 0);
        var (_, ranByB) = await StartRunnerAsync(workers: 1);
        var job = await a.EnqueueAsync(Request(ScriptedExecutor.Block()), CancellationToken.None);
        await ranByB.WhenStarted(job.Id).WaitAsync(Patience);

        await a.CancelAsync("demo", job.Id, "alice", "enough", null, CancellationToken.None);

        await ranByB.WhenCanceled(job.Id).WaitAsync(Patience);
        Assert.Equal(JobStatus.Canceled, (await a.GetAsync("demo", job.Id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task A_token_deleted_on_A_stops_working_on_B_at_once_though_B_had_it_cached()
    {
        var (a, _) = await StartTokensAsync();
        var (b, notifierB) = await StartTokensAsync();
        var (plaintext, stored) = await a.CreateAsync(new NewTokenRequest { Owner = "alice", Label = "ci" }, CancellationToken.None);
        Assert.NotNull(await b.ValidateAsync(plaintext, CancellationToken.None));
        Assert.True(b.TryValidateFromMemory(plaintext, out var cached) && cached is not null, "B did not cache the token");

        var heard = Heard(notifierB, JobNotificationKind.TokenRevoked);
        await a.DeleteAsync(new Caller("alice"), "alice", stored.Prefix, CancellationToken.None);

        // B's token service heard it before this test's own listener (subscribed later) did.
        await heard.WaitAsync(Patience);
        Assert.False(b.TryValidateFromMemory(plaintext, out _), "B still answers from its cache");
        Assert.Null(await b.ValidateAsync(plaintext, CancellationToken.None));
    }

    [Fact]
    public async Task A_script_deployed_on_A_is_served_by_B_at_once_though_B_had_the_old_head_cached()
    {
        var (a, _) = await StartScriptsAsync();
        var (b, notifierB) = await StartScriptsAsync();
        var first = Version(1, parent: null);
        await a.AddVersionAsync(first, null, CancellationToken.None);
        Assert.Equal(first.Hash, (await b.GetLatestAsync("demo", "u/alice/hello", CancellationToken.None))?.Hash);

        var heard = Heard(notifierB, JobNotificationKind.ScriptsChanged);
        var second = Version(2, parent: first.Hash);
        await a.AddVersionAsync(second, null, CancellationToken.None);

        await heard.WaitAsync(Patience);
        Assert.Equal(second.Hash, (await b.GetLatestAsync("demo", "u/alice/hello", CancellationToken.None))?.Hash);
    }

    [Fact]
    public async Task A_listener_whose_connection_is_cut_reconnects_and_hears_again()
    {
        var (a, _) = await StartRunnerAsync(workers: 0);
        var (_, ranByB, _) = await StartRunnerWithNotifierAsync(workers: 1);

        // Cut every connection of B's listener from the server side, as a failover or a restart would.
        await using (var admin = new Npgsql.NpgsqlConnection(_schema!.Cluster.ConnectionString(maxPoolSize: 1)))
        {
            await admin.OpenAsync();
            await using var kill = new Npgsql.NpgsqlCommand(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = @listen", admin);
            kill.Parameters.AddWithValue("listen", $"LISTEN windmill_{_schema.Name}");
            await kill.ExecuteNonQueryAsync();
        }

        var job = await a.EnqueueAsync(Request(ScriptedExecutor.Succeed(1)), CancellationToken.None);

        // B hears of it either from the NOTIFY (listening again) or from the "ready" it gives itself after reconnecting.
        await ranByB.WhenStarted(job.Id).WaitAsync(Patience);
        Assert.Equal(JobStatus.Success, (await a.WaitForCompletionAsync("demo", job.Id, CancellationToken.None).AsTask().WaitAsync(Patience))!.Status);
    }

    private static NewJob Request(JsonElement args) => new()
    {
        Workspace = "demo",
        Runnable = new(JobKind.Script, "u/alice/hello", new ScriptHash(0x0a1b2c3d4e5f6789)) { Language = "test" },
        Args = args,
        CreatedBy = "alice",
        PermissionedAs = "u/alice",
        TriggerKind = "webhook",
    };

    private ScriptVersion Version(int n, ScriptHash? parent) => new()
    {
        Workspace = "demo",
        Hash = new ScriptHash(0x1000 + n),
        Path = "u/alice/hello",
        ParentHash = parent,
        Language = "test",
        Content = $"version {n}",
        Summary = "",
        Description = "",
        CreatedBy = "alice",
        CreatedAt = _clock.GetUtcNow(),
    };

    private async Task<(JobRunner Runner, ScriptedExecutor Executor)> StartRunnerAsync(int workers)
    {
        var (runner, executor, _) = await StartRunnerWithNotifierAsync(workers);
        return (runner, executor);
    }

    private async Task<(JobRunner, ScriptedExecutor, PostgreSqlJobNotifier)> StartRunnerWithNotifierAsync(int workers)
    {
        var (database, notifier) = await OpenProcessAsync();
        var executor = new ScriptedExecutor();
        var runner = new JobRunner(new PostgreSqlJobStore(database), notifier, [executor], new InMemoryAuditSink(), _clock,
            Options.Create(new WindmillWebhooksOptions { WorkerCount = workers }), NullLogger<JobRunner>.Instance);
        await runner.StartAsync(CancellationToken.None);
        _disposables.Add(new Stop(runner));
        await notifier.Listening.Task.WaitAsync(Patience);
        return (runner, executor, notifier);
    }

    private async Task<(TokenService, PostgreSqlJobNotifier)> StartTokensAsync()
    {
        var (database, notifier) = await OpenProcessAsync();
        var tokens = new TokenService(new PostgreSqlTokenStore(database), new InMemoryAuditSink(), _clock, Options.Create(new WindmillWebhooksOptions()),
            NullLogger<TokenService>.Instance, notifier);
        await notifier.Listening.Task.WaitAsync(Patience);
        return (tokens, notifier);
    }

    private async Task<(CachingScriptStore, PostgreSqlJobNotifier)> StartScriptsAsync()
    {
        var (database, notifier) = await OpenProcessAsync();
        var scripts = new CachingScriptStore(new PostgreSqlScriptStore(database), _clock, notifier);
        await notifier.Listening.Task.WaitAsync(Patience);
        return (scripts, notifier);
    }

    private async Task<(PostgreSqlDatabase, PostgreSqlJobNotifier)> OpenProcessAsync()
    {
        var database = _schema!.Open();
        await database.EnsureInitializedAsync(CancellationToken.None);
        var notifier = new PostgreSqlJobNotifier(database, TimeProvider.System, NullLogger<PostgreSqlJobNotifier>.Instance);
        _disposables.Add(notifier);
        return (database, notifier);
    }

    // Completes when a notification of this kind reaches the notifier (after the listeners subscribed before it ran).
    private static Task Heard(PostgreSqlJobNotifier notifier, JobNotificationKind kind)
    {
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        notifier.Subscribe(n =>
        {
            if (n.Kind == kind)
            {
                heard.TrySetResult();
            }
        });
        return heard.Task;
    }

    private sealed class Stop(JobRunner runner) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await runner.StopAsync(CancellationToken.None);
            await runner.DisposeAsync();
        }
    }
}
