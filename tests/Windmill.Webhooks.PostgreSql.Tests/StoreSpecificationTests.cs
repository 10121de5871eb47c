using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.Flows;
using Windmill.Webhooks.Idempotency;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.PostgreSql.Tests.Infrastructure;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Specification.Tests;
using Windmill.Webhooks.Storage.InMemory;
using Windmill.Webhooks.Storage.PostgreSql;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.PostgreSql.Tests;

// Each store passes its conformance suite by inheriting it, exactly as a custom store's author would; each fact gets a
// schema of its own on the tests' throwaway cluster.

public sealed class PostgreSqlScriptStoreTests : ScriptStoreSpecification, IAsyncLifetime
{
    private TestSchema? _schema;
    private PostgreSqlDatabase? _open;

    protected override Task<IScriptStore> CreateStoreAsync() => Task.FromResult<IScriptStore>(new PostgreSqlScriptStore(_open = _schema!.Open()));

    // The store's own audit table: each write's entry is committed with it.
    protected override IAuditSink CreateAuditSink(IScriptStore store) => new PostgreSqlAuditSink(_open!);

    public async ValueTask InitializeAsync() => _schema = await TestSchema.CreateAsync();

    public async ValueTask DisposeAsync() => await _schema!.DisposeAsync();
}

public sealed class PostgreSqlFlowStoreSpecificationTests : FlowStoreSpecification, IAsyncLifetime
{
    private TestSchema? _schema;
    private PostgreSqlDatabase? _open;

    protected override Task<IFlowStore> CreateStoreAsync() => Task.FromResult<IFlowStore>(new PostgreSqlFlowStore(_open = _schema!.Open()));

    // The store's own audit table: each write's entry is committed with it.
    protected override IAuditSink CreateAuditSink(IFlowStore store) => new PostgreSqlAuditSink(_open!);

    public async ValueTask InitializeAsync() => _schema = await TestSchema.CreateAsync();

    public async ValueTask DisposeAsync() => await _schema!.DisposeAsync();
}

public sealed class PostgreSqlTokenStoreTests : TokenStoreSpecification, IAsyncLifetime
{
    private TestSchema? _schema;

    protected override Task<ITokenStore> CreateStoreAsync() => Task.FromResult<ITokenStore>(new PostgreSqlTokenStore(_schema!.Open()));

    public async ValueTask InitializeAsync() => _schema = await TestSchema.CreateAsync();

    public async ValueTask DisposeAsync() => await _schema!.DisposeAsync();
}

public sealed class PostgreSqlAuditSinkTests : AuditLogReaderSpecification, IAsyncLifetime
{
    private TestSchema? _schema;

    protected override Task<IAuditSink> CreateSinkAsync() => Task.FromResult<IAuditSink>(new PostgreSqlAuditSink(_schema!.Open()));

    public async ValueTask InitializeAsync() => _schema = await TestSchema.CreateAsync();

    public async ValueTask DisposeAsync() => await _schema!.DisposeAsync();
}

public sealed class PostgreSqlIdempotencyStoreTests : IdempotencyStoreSpecification, IAsyncLifetime
{
    private TestSchema? _schema;

    protected override Task<IIdempotencyStore> CreateStoreAsync() => Task.FromResult<IIdempotencyStore>(new PostgreSqlIdempotencyStore(_schema!.Open()));

    // Another pool on the same schema, as another process would have.
    protected override Task<IIdempotencyStore> OpenAnotherAsync(IIdempotencyStore store) =>
        Task.FromResult<IIdempotencyStore>(new PostgreSqlIdempotencyStore(_schema!.Open()));

    public async ValueTask InitializeAsync() => _schema = await TestSchema.CreateAsync();

    public async ValueTask DisposeAsync() => await _schema!.DisposeAsync();
}

public sealed class PostgreSqlJobRunnerTests : JobRunnerSpecification
{
    private TestSchema? _schema;

    protected override async Task<IJobRunner> CreateRunnerAsync(ScriptedExecutor executor, TimeProvider time)
    {
        _schema ??= await TestSchema.CreateAsync();
        var runner = new JobRunner(new PostgreSqlJobStore(_schema.Open()), new InProcessJobNotifier(), [executor], new InMemoryAuditSink(), time,
            Options.Create(new WindmillWebhooksOptions { WorkerCount = 8 }), NullLogger<JobRunner>.Instance);
        await runner.StartAsync(CancellationToken.None);
        return runner;
    }

    protected override async Task DisposeStorageAsync()
    {
        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
    }
}

public sealed class PostgreSqlJobStoreTests : JobStoreSpecification
{
    private TestSchema? _schema;
    private PostgreSqlDatabase? _open;

    protected override async Task<IJobStore> CreateStoreAsync()
    {
        _schema = await TestSchema.CreateAsync();
        return new PostgreSqlJobStore(_open = _schema.Open());
    }

    // The store's own audit table: the trigger entry is written in the job's commit.
    protected override IAuditSink CreateAuditSink(IJobStore store) => new PostgreSqlAuditSink(_open!);

    protected override async Task DisposeStoreAsync()
    {
        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
    }
}
