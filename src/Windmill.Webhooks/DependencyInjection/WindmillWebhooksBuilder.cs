using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.Flows;
using Windmill.Webhooks.Idempotency;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Storage.InMemory;
using Windmill.Webhooks.Storage.Sqlite;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks;

/// <summary>Configures Windmill.Webhooks; returned by <c>AddWindmillWebhooks()</c>.</summary>
public sealed class WindmillWebhooksBuilder
{
    internal WindmillWebhooksBuilder(IServiceCollection services) => Services = services;

    /// <summary>The application's services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Stores scripts, flows, jobs, tokens, idempotency keys and the audit log in one SQLite database (the default, with
    /// <c>Data Source=windmill.db</c>). The schema is created and migrated at start.
    /// </summary>
    public WindmillWebhooksBuilder UseSqlite(string connectionString, Action<SqliteStorageOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        Services.Configure<SqliteStorageOptions>(options =>
        {
            options.ConnectionString = connectionString;
            configure?.Invoke(options);
        });
        Replace<IScriptStore>(ServiceDescriptor.Singleton<IScriptStore>(sp => sp.GetRequiredService<SqliteScriptStore>()));
        Replace<IFlowStore>(ServiceDescriptor.Singleton<IFlowStore>(sp => sp.GetRequiredService<SqliteFlowStore>()));
        Replace<IJobStore>(ServiceDescriptor.Singleton<IJobStore, SqliteJobStore>());
        Replace<ITokenStore>(ServiceDescriptor.Singleton<ITokenStore>(sp => sp.GetRequiredService<SqliteTokenStore>()));
        Replace<IAuditSink>(ServiceDescriptor.Singleton<IAuditSink>(sp => sp.GetRequiredService<SqliteAuditSink>()));
        Replace<IIdempotencyStore>(ServiceDescriptor.Singleton<IIdempotencyStore>(sp => sp.GetRequiredService<SqliteIdempotencyStore>()));
        return this;
    }

    /// <summary>Keeps everything in memory: for tests and demos; nothing survives a restart.</summary>
    public WindmillWebhooksBuilder UseInMemoryStores()
    {
        Replace<IScriptStore>(ServiceDescriptor.Singleton<IScriptStore, InMemoryScriptStore>());
        Replace<IFlowStore>(ServiceDescriptor.Singleton<IFlowStore, InMemoryFlowStore>());
        Replace<IJobStore>(ServiceDescriptor.Singleton<IJobStore>(sp => new InMemoryJobStore(sp.GetRequiredService<IAuditSink>() as InMemoryAuditSink)));
        Replace<ITokenStore>(ServiceDescriptor.Singleton<ITokenStore, InMemoryTokenStore>());
        Replace<IAuditSink>(ServiceDescriptor.Singleton<IAuditSink, InMemoryAuditSink>());
        Replace<IIdempotencyStore>(ServiceDescriptor.Singleton<IIdempotencyStore, InMemoryIdempotencyStore>());
        return this;
    }

    /// <summary>
    /// Registers a script whose code is <paramref name="handler"/>, bound like a minimal-API handler: JSON
    /// args by parameter name (with defaults), plus <see cref="CancellationToken"/>,
    /// <see cref="Execution.ScriptContext"/>, <see cref="Microsoft.Extensions.Logging.ILogger"/> and services.
    /// </summary>
    /// <example><c>builder.AddScript("u/bot/hello_world", (string name = "world") => $"Hello, {name}!");</c></example>
    public WindmillWebhooksBuilder AddScript(string path, Delegate handler, Action<CodeScriptOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (!ScriptPaths.IsValid(path))
        {
            throw new ArgumentException($"'{path}' is not a Windmill script path: expected u/<user>/<name> or f/<folder>/<name>.", nameof(path));
        }

        var options = new CodeScriptOptions();
        configure?.Invoke(options);
        Services.AddSingleton(new CodeScriptRegistration(path, handler, options));
        return this;
    }

    /// <summary>Replaces the script store with <typeparamref name="TStore"/>.</summary>
    public WindmillWebhooksBuilder AddScriptStore<TStore>() where TStore : class, IScriptStore =>
        Replace<IScriptStore>(ServiceDescriptor.Singleton<IScriptStore, TStore>());

    /// <summary>
    /// Registers a flow built in C# at <paramref name="path"/>, deployed at start-up (a new version when the definition changed)
    /// and run like any stored flow: its webhooks are <c>jobs/run/f/&lt;path&gt;</c> and <c>jobs/run_wait_result/f/&lt;path&gt;</c>.
    /// Steps can call scripts registered with <see cref="AddScript"/>. A definition that does not validate stops the host at start.
    /// </summary>
    /// <example><c>builder.AddFlow("f/examples/greet", flow =&gt; flow.Script("hello", "u/bot/hello_world", i =&gt; i.Expression("name", "flow_input.name")));</c></example>
    public WindmillWebhooksBuilder AddFlow(string path, Action<FlowBuilder> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        var flow = new FlowBuilder();
        build(flow);
        var value = flow.Build();
        return AddFlow(path, () => (value, flow.SummaryText ?? "", null));
    }

    /// <summary>
    /// Registers a flow from an OpenFlow JSON file (as Windmill exports one: <c>{"summary", "value": {"modules": …}, "schema"}</c>,
    /// or only the <c>value</c>), read and deployed at start-up like <see cref="AddFlow(string, Action{FlowBuilder})"/>.
    /// </summary>
    public WindmillWebhooksBuilder AddFlowFromFile(string path, string file)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        return AddFlow(path, () => ReadOpenFlow(File.ReadAllText(file)));
    }

    private WindmillWebhooksBuilder AddFlow(string path, Func<(JsonElement, string, JsonElement?)> load)
    {
        if (!ScriptPaths.IsValid(path))
        {
            throw new ArgumentException($"'{path}' is not a Windmill flow path: expected u/<user>/<name> or f/<folder>/<name>.", nameof(path));
        }

        Services.AddSingleton(new CodeFlowRegistration(path, load));
        return this;
    }

    private static (JsonElement, string, JsonElement?) ReadOpenFlow(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("value", out var value))
        {
            var summary = root.TryGetProperty("summary", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "";
            JsonElement? schema = root.TryGetProperty("schema", out var schemaJson) && schemaJson.ValueKind == JsonValueKind.Object ? schemaJson.Clone() : null;
            return (value.Clone(), summary, schema);
        }

        return (root.Clone(), "", null);
    }

    /// <summary>
    /// Replaces the flow store with <typeparamref name="TStore"/>. Check it with <c>FlowStoreSpecification</c> from
    /// <c>Windmill.Webhooks.Specification.Tests</c>.
    /// </summary>
    public WindmillWebhooksBuilder AddFlowStore<TStore>() where TStore : class, IFlowStore =>
        Replace<IFlowStore>(ServiceDescriptor.Singleton<IFlowStore, TStore>());

    /// <summary>Replaces the job runner with <typeparamref name="TRunner"/>. If it is an <c>IHostedService</c>, it is started with the host.</summary>
    public WindmillWebhooksBuilder AddJobRunner<TRunner>() where TRunner : class, IJobRunner =>
        Replace<IJobRunner>(ServiceDescriptor.Singleton<IJobRunner, TRunner>());

    /// <summary>
    /// Replaces the job store with <typeparamref name="TStore"/>: the <see cref="JobRunner"/> runs on it. Check it
    /// with <c>JobStoreSpecification</c> from <c>Windmill.Webhooks.Specification.Tests</c>.
    /// </summary>
    public WindmillWebhooksBuilder AddJobStore<TStore>() where TStore : class, IJobStore =>
        Replace<IJobStore>(ServiceDescriptor.Singleton<IJobStore, TStore>());

    /// <summary>Replaces the in-process job notifier with <typeparamref name="TNotifier"/> (a store that spans processes brings its own).</summary>
    public WindmillWebhooksBuilder AddJobNotifier<TNotifier>() where TNotifier : class, IJobNotifier =>
        Replace<IJobNotifier>(ServiceDescriptor.Singleton<IJobNotifier, TNotifier>());

    /// <summary>
    /// Adds an executor for more kinds of runnables or languages, beside the ones already registered (the C# scripts
    /// registered in code are one).
    /// </summary>
    public WindmillWebhooksBuilder AddJobExecutor<TExecutor>() where TExecutor : class, IJobExecutor
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IJobExecutor, TExecutor>());
        return this;
    }

    /// <summary>
    /// Adds a compiler that checks and prepares stored scripts in more languages, beside the ones already registered.
    /// Pair it with an executor (<see cref="AddJobExecutor{TExecutor}"/>) that runs what it prepared.
    /// </summary>
    public WindmillWebhooksBuilder AddScriptCompiler<TCompiler>() where TCompiler : class, IScriptCompiler
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IScriptCompiler, TCompiler>());
        return this;
    }

    /// <summary>Replaces the token store with <typeparamref name="TStore"/>.</summary>
    public WindmillWebhooksBuilder AddTokenStore<TStore>() where TStore : class, ITokenStore =>
        Replace<ITokenStore>(ServiceDescriptor.Singleton<ITokenStore, TStore>());

    /// <summary>Replaces the audit sink with <typeparamref name="TSink"/>. Implement <see cref="IAuditLogReader"/> too to serve the audit routes.</summary>
    public WindmillWebhooksBuilder AddAuditSink<TSink>() where TSink : class, IAuditSink =>
        Replace<IAuditSink>(ServiceDescriptor.Singleton<IAuditSink, TSink>());

    /// <summary>
    /// Replaces the store of <c>Idempotency-Key</c>s with <typeparamref name="TStore"/>. Check it with
    /// <c>IdempotencyStoreSpecification</c> from <c>Windmill.Webhooks.Specification.Tests</c>.
    /// </summary>
    public WindmillWebhooksBuilder AddIdempotencyStore<TStore>() where TStore : class, IIdempotencyStore =>
        Replace<IIdempotencyStore>(ServiceDescriptor.Singleton<IIdempotencyStore, TStore>());

    private WindmillWebhooksBuilder Replace<TService>(ServiceDescriptor descriptor)
    {
        Services.RemoveAll<TService>();
        Services.Add(descriptor);
        return this;
    }
}
