using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.Flows;
using Windmill.Webhooks.Idempotency;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Specification.Tests;
using Windmill.Webhooks.Storage.InMemory;
using Windmill.Webhooks.Storage.Sqlite;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.Tests.Storage;

// Each store passes its conformance suite by inheriting it, exactly as a custom store's author would.

public sealed class InMemoryScriptStoreTests : ScriptStoreSpecification
{
    protected override Task<IScriptStore> CreateStoreAsync() => Task.FromResult<IScriptStore>(new InMemoryScriptStore());
}

public sealed class SqliteScriptStoreTests : ScriptStoreSpecification, IAsyncLifetime
{
    private readonly TemporaryDatabase _database = new();
    private SqliteDatabase? _open;

    protected override Task<IScriptStore> CreateStoreAsync() => Task.FromResult<IScriptStore>(new SqliteScriptStore(_open = _database.Open()));

    // The store's own audit table: each write's entry is committed with it.
    protected override IAuditSink CreateAuditSink(IScriptStore store) => new SqliteAuditSink(_open!);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}

public sealed class InMemoryFlowStoreTests : FlowStoreSpecification
{
    protected override Task<IFlowStore> CreateStoreAsync() => Task.FromResult<IFlowStore>(new InMemoryFlowStore());
}

public sealed class SqliteFlowStoreTests : FlowStoreSpecification, IAsyncLifetime
{
    private readonly TemporaryDatabase _database = new();
    private SqliteDatabase? _open;

    protected override Task<IFlowStore> CreateStoreAsync() => Task.FromResult<IFlowStore>(new SqliteFlowStore(_open = _database.Open()));

    // The store's own audit table: each write's entry is committed with it.
    protected override IAuditSink CreateAuditSink(IFlowStore store) => new SqliteAuditSink(_open!);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}

public sealed class InMemoryTokenStoreTests : TokenStoreSpecification
{
    protected override Task<ITokenStore> CreateStoreAsync() => Task.FromResult<ITokenStore>(new InMemoryTokenStore());
}

public sealed class SqliteTokenStoreTests : TokenStoreSpecification, IAsyncLifetime
{
    private readonly TemporaryDatabase _database = new();

    protected override Task<ITokenStore> CreateStoreAsync() => Task.FromResult<ITokenStore>(new SqliteTokenStore(_database.Open()));

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}

public sealed class InMemoryAuditSinkTests : AuditLogReaderSpecification
{
    protected override Task<IAuditSink> CreateSinkAsync() => Task.FromResult<IAuditSink>(new InMemoryAuditSink());
}

public sealed class SqliteAuditSinkTests : AuditLogReaderSpecification, IAsyncLifetime
{
    private readonly TemporaryDatabase _database = new();

    protected override Task<IAuditSink> CreateSinkAsync() => Task.FromResult<IAuditSink>(new SqliteAuditSink(_database.Open()));

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}

public sealed class InMemoryJobRunnerTests : JobRunnerSpecification
{
    protected override Task<IJobRunner> CreateRunnerAsync(ScriptedExecutor executor, TimeProvider time) =>
        Runners.StartAsync(new InMemoryJobStore(), executor, time);
}

public sealed class SqliteJobRunnerTests : JobRunnerSpecification
{
    private readonly TemporaryDatabase _database = new();

    protected override Task<IJobRunner> CreateRunnerAsync(ScriptedExecutor executor, TimeProvider time) =>
        Runners.StartAsync(new SqliteJobStore(_database.Open()), executor, time);

    protected override Task DisposeStorageAsync() => _database.DisposeAsync().AsTask();
}

public sealed class InMemoryJobStoreTests : JobStoreSpecification
{
    private readonly InMemoryAuditSink _audit = new();

    protected override Task<IJobStore> CreateStoreAsync() => Task.FromResult<IJobStore>(new InMemoryJobStore(_audit));

    protected override IAuditSink CreateAuditSink(IJobStore store) => _audit;
}

public sealed class SqliteJobStoreTests : JobStoreSpecification
{
    private readonly TemporaryDatabase _database = new();
    private SqliteDatabase? _open;

    protected override Task<IJobStore> CreateStoreAsync() => Task.FromResult<IJobStore>(new SqliteJobStore(_open = _database.Open()));

    // The store's own audit table: the trigger entry is written in the job's commit.
    protected override IAuditSink CreateAuditSink(IJobStore store) => new SqliteAuditSink(_open!);

    protected override Task DisposeStoreAsync() => _database.DisposeAsync().AsTask();
}

public sealed class InMemoryIdempotencyStoreTests : IdempotencyStoreSpecification
{
    protected override Task<IIdempotencyStore> CreateStoreAsync() => Task.FromResult<IIdempotencyStore>(new InMemoryIdempotencyStore());
}

public sealed class SqliteIdempotencyStoreTests : IdempotencyStoreSpecification, IAsyncLifetime
{
    private readonly TemporaryDatabase _database = new();

    protected override Task<IIdempotencyStore> CreateStoreAsync() => Task.FromResult<IIdempotencyStore>(new SqliteIdempotencyStore(_database.Open()));

    // A second database over the same file: its own writer, taking turns with the first on SQLite's write lock, as another process would.
    protected override Task<IIdempotencyStore> OpenAnotherAsync(IIdempotencyStore store) =>
        Task.FromResult<IIdempotencyStore>(new SqliteIdempotencyStore(_database.Open()));

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}

internal static class Runners
{
    public static async Task<IJobRunner> StartAsync(IJobStore store, IJobExecutor executor, TimeProvider? time = null,
        WindmillWebhooksOptions? options = null)
    {
        var runner = Create(store, executor, time, options);
        await runner.StartAsync(CancellationToken.None);
        return runner;
    }

    public static JobRunner Create(IJobStore store, IJobExecutor executor, TimeProvider? time = null, WindmillWebhooksOptions? options = null) =>
        new(store, new InProcessJobNotifier(), [executor], new InMemoryAuditSink(), time ?? TimeProvider.System,
            Options.Create(options ?? new WindmillWebhooksOptions { WorkerCount = 8 }), NullLogger<JobRunner>.Instance);
}
