using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NSubstitute;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Flows;
using Windmill.Webhooks.Idempotency;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Storage.InMemory;
using Windmill.Webhooks.Storage.Sqlite;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.Tests;

public sealed class ServiceCollectionTests
{
    [Fact]
    public void Defaults_to_the_sqlite_stores()
    {
        using var services = Build(s => s.AddWindmillWebhooksCore());

        Assert.IsType<SqliteScriptStore>(services.GetRequiredService<IScriptStore>());
        Assert.IsType<SqliteFlowStore>(services.GetRequiredService<IFlowStore>());
        Assert.IsType<SqliteTokenStore>(services.GetRequiredService<ITokenStore>());
        Assert.IsType<SqliteAuditSink>(services.GetRequiredService<IAuditSink>());
        Assert.IsType<SqliteIdempotencyStore>(services.GetRequiredService<IIdempotencyStore>());
        Assert.NotNull(services.GetRequiredService<StoredFlows>());
        Assert.IsType<JobRunner>(services.GetRequiredService<IJobRunner>());
        Assert.Same(TimeProvider.System, services.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void Calling_it_twice_registers_everything_once()
    {
        var collection = new ServiceCollection().AddLogging();
        collection.AddWindmillWebhooksCore();
        var count = collection.Count;

        collection.AddWindmillWebhooksCore();

        Assert.Equal(count, collection.Count);
        Assert.Equal(3, collection.Count(d => d.ServiceType == typeof(IHostedService)));
    }

    [Fact]
    public void The_applications_own_registrations_win()
    {
        var store = Substitute.For<IScriptStore>();
        var keys = Substitute.For<IIdempotencyStore>();
        var time = Substitute.For<TimeProvider>();
        using var services = Build(s =>
        {
            s.AddSingleton(store);
            s.AddSingleton(keys);
            s.AddSingleton(time);
            s.AddWindmillWebhooksCore();
        });

        Assert.Same(store, services.GetRequiredService<IScriptStore>());
        Assert.Same(keys, services.GetRequiredService<IIdempotencyStore>());
        Assert.Same(time, services.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void Use_in_memory_stores_replaces_every_store()
    {
        using var services = Build(s => s.AddWindmillWebhooksCore().UseInMemoryStores());

        Assert.IsType<InMemoryScriptStore>(services.GetRequiredService<IScriptStore>());
        Assert.IsType<InMemoryFlowStore>(services.GetRequiredService<IFlowStore>());
        Assert.IsType<InMemoryTokenStore>(services.GetRequiredService<ITokenStore>());
        Assert.IsType<InMemoryAuditSink>(services.GetRequiredService<IAuditSink>());
        Assert.IsType<InMemoryIdempotencyStore>(services.GetRequiredService<IIdempotencyStore>());
    }

    [Fact]
    public void Custom_implementations_replace_the_defaults()
    {
        using var services = Build(s => s.AddWindmillWebhooksCore()
            .AddScriptStore<InMemoryScriptStore>()
            .AddFlowStore<InMemoryFlowStore>()
            .AddTokenStore<InMemoryTokenStore>()
            .AddAuditSink<InMemoryAuditSink>()
            .AddIdempotencyStore<InMemoryIdempotencyStore>()
            .AddJobRunner<NoopRunner>());

        Assert.IsType<InMemoryScriptStore>(services.GetRequiredService<IScriptStore>());
        Assert.IsType<InMemoryFlowStore>(services.GetRequiredService<IFlowStore>());
        Assert.IsType<InMemoryTokenStore>(services.GetRequiredService<ITokenStore>());
        Assert.IsType<InMemoryAuditSink>(services.GetRequiredService<IAuditSink>());
        Assert.IsType<InMemoryIdempotencyStore>(services.GetRequiredService<IIdempotencyStore>());
        Assert.IsType<NoopRunner>(services.GetRequiredService<IJobRunner>());
    }

    [Fact]
    public void Use_sqlite_sets_the_connection_string()
    {
        using var services = Build(s => s.AddWindmillWebhooksCore().UseInMemoryStores().UseSqlite("Data Source=custom.db"));

        Assert.Equal("custom.db", services.GetRequiredService<SqliteDatabase>().DataSource);
        Assert.IsType<SqliteScriptStore>(services.GetRequiredService<IScriptStore>());
        Assert.IsType<SqliteFlowStore>(services.GetRequiredService<IFlowStore>());
        Assert.IsType<SqliteIdempotencyStore>(services.GetRequiredService<IIdempotencyStore>());
    }

    private static ServiceProvider Build(Action<IServiceCollection> configure)
    {
        var collection = new ServiceCollection().AddLogging();
        configure(collection);
        return collection.BuildServiceProvider();
    }

    private sealed class NoopRunner : IJobRunner
    {
        public ValueTask<Job> EnqueueAsync(NewJob job, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<Job?> GetAsync(string workspace, Guid id, CancellationToken cancellationToken) => default;

        public ValueTask<Job?> WaitForCompletionAsync(string workspace, Guid id, CancellationToken cancellationToken) => default;

        public ValueTask<CancelOutcome> CancelAsync(string workspace, Guid id, string canceledBy, string? reason, AuditEntry? audit,
            CancellationToken cancellationToken) =>
            ValueTask.FromResult(CancelOutcome.NotFound);

        public IAsyncEnumerable<Job> ListAsync(JobQuery query, CancellationToken cancellationToken) => AsyncEnumerable.Empty<Job>();
    }
}
