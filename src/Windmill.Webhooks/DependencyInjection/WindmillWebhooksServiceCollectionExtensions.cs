using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Windmill.Webhooks;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Diagnostics;
using Windmill.Webhooks.Configuration;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.Flows;
using Windmill.Webhooks.Idempotency;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Storage.Sqlite;
using Windmill.Webhooks.Tokens;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the core of Windmill.Webhooks.</summary>
public static class WindmillWebhooksServiceCollectionExtensions
{
    /// <summary>
    /// Registers scripts, flows, the durable job runner, tokens and the audit log, without any HTTP surface
    /// (use <c>AddWindmillWebhooks()</c> from Windmill.Webhooks.AspNetCore for that). Idempotent; every
    /// service is added with <c>TryAdd</c>, so the application's own registrations win.
    /// </summary>
    public static WindmillWebhooksBuilder AddWindmillWebhooksCore(this IServiceCollection services, Action<WindmillWebhooksOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = new WindmillWebhooksBuilder(services);
        if (configure is not null)
        {
            services.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(WindmillWebhooksMarker)))
        {
            return builder;
        }

        services.AddSingleton<WindmillWebhooksMarker>();
        services.AddOptions<WindmillWebhooksOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WindmillWebhooksOptions>, WindmillWebhooksOptionsValidator>());
        services.AddOptions<SqliteStorageOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<WindmillMetrics>();

        services.TryAddSingleton<SqliteDatabase>();
        services.TryAddSingleton<SqliteScriptStore>();
        services.TryAddSingleton<SqliteFlowStore>();
        services.TryAddSingleton<SqliteJobStore>();
        services.TryAddSingleton<SqliteTokenStore>();
        services.TryAddSingleton<SqliteAuditSink>();
        services.TryAddSingleton<SqliteIdempotencyStore>();
        services.TryAddSingleton<IScriptStore>(sp => sp.GetRequiredService<SqliteScriptStore>());
        services.TryAddSingleton<IFlowStore>(sp => sp.GetRequiredService<SqliteFlowStore>());
        services.TryAddSingleton<IJobStore>(sp => sp.GetRequiredService<SqliteJobStore>());
        services.TryAddSingleton<ITokenStore>(sp => sp.GetRequiredService<SqliteTokenStore>());
        services.TryAddSingleton<IAuditSink>(sp => sp.GetRequiredService<SqliteAuditSink>());
        services.TryAddSingleton<IIdempotencyStore>(sp => sp.GetRequiredService<SqliteIdempotencyStore>());
        services.TryAddSingleton<IdempotencyKeys>();

        // Script lookups on the hot path go through one in-memory cache; the catalog's deployments go through
        // it too, so they invalidate it exactly.
        services.TryAddSingleton(sp => new CachingScriptStore(sp.GetRequiredService<IScriptStore>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IJobNotifier>()));
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<ScriptCatalog>(sp, sp.GetRequiredService<CachingScriptStore>()));
        services.TryAddSingleton<IJobNotifier, InProcessJobNotifier>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IJobExecutor, ScriptJobExecutor>());
        services.TryAddSingleton(sp => sp.GetRequiredService<JobRunner>().EarlyReturns);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IJobExecutor, FlowJobExecutor>());
        services.TryAddSingleton<JobRunner>();
        services.TryAddSingleton<IJobRunner>(sp => sp.GetRequiredService<JobRunner>());
        services.TryAddSingleton(sp => new JobRuns(sp.GetRequiredService<CachingScriptStore>(), sp.GetRequiredService<IFlowStore>(),
            sp.GetRequiredService<IJobRunner>(), sp.GetRequiredService<ScriptCatalog>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<FlowEarlyReturns>()));
        services.TryAddSingleton(sp => new StoredScripts(sp.GetRequiredService<CachingScriptStore>(), sp.GetRequiredService<ScriptCatalog>(),
            sp.GetServices<IScriptCompiler>(), sp.GetRequiredService<IAuditSink>(), sp.GetRequiredService<IOptions<WindmillWebhooksOptions>>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<StoredScripts>>()));
        services.TryAddSingleton<FlowValidator>();
        services.TryAddSingleton<FlowCatalog>();
        services.TryAddSingleton(sp => new StoredFlows(sp.GetRequiredService<IFlowStore>(), sp.GetRequiredService<FlowValidator>(),
            sp.GetRequiredService<IAuditSink>(), sp.GetRequiredService<IOptions<WindmillWebhooksOptions>>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<StoredFlows>>()));
        services.TryAddSingleton<TokenService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WindmillHostedService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TokenUsageFlusher>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AuditRetentionService>());
        return builder;
    }

    /// <summary>
    /// <see cref="AddWindmillWebhooksCore(IServiceCollection, Action{WindmillWebhooksOptions}?)"/>, with the options bound from
    /// <paramref name="configuration"/> (typically <c>builder.Configuration.GetSection("Windmill")</c>): every key is the
    /// name of an option, such as <c>Windmill:WorkerCount</c>. Values are checked when the host starts; a value that does
    /// not convert or is out of range stops it with a message naming the key.
    /// </summary>
    public static WindmillWebhooksBuilder AddWindmillWebhooksCore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddWindmillWebhooksCore();
        services.AddOptions<WindmillWebhooksOptions>().Bind(configuration);
        services.AddSingleton(new WindmillConfigurationPath(configuration is IConfigurationSection section ? section.Path : ""));
        return builder;
    }

    /// <summary>
    /// <see cref="AddWindmillWebhooksCore(IServiceCollection, Action{WindmillWebhooksOptions}?)"/>, configuring the options
    /// with the application's services (a secret store, say). Values are checked when the host starts.
    /// </summary>
    public static WindmillWebhooksBuilder AddWindmillWebhooksCore(this IServiceCollection services, Action<WindmillWebhooksOptions, IServiceProvider> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services.AddWindmillWebhooksCore();
        services.AddOptions<WindmillWebhooksOptions>().Configure<IServiceProvider>(configure);
        return builder;
    }

    private sealed class WindmillWebhooksMarker;
}
