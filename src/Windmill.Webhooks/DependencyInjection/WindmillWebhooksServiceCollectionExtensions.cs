using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Windmill.Webhooks;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Storage.Sqlite;
using Windmill.Webhooks.Tokens;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the core of Windmill.Webhooks.</summary>
public static class WindmillWebhooksServiceCollectionExtensions
{
    /// <summary>
    /// Registers scripts, the durable job runner, tokens and the audit log, without any HTTP surface
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
        services.AddOptions<WindmillWebhooksOptions>();
        services.AddOptions<SqliteStorageOptions>();
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton<SqliteDatabase>();
        services.TryAddSingleton<SqliteScriptStore>();
        services.TryAddSingleton<SqliteJobStore>();
        services.TryAddSingleton<SqliteTokenStore>();
        services.TryAddSingleton<SqliteAuditSink>();
        services.TryAddSingleton<IScriptStore>(sp => sp.GetRequiredService<SqliteScriptStore>());
        services.TryAddSingleton<IJobStore>(sp => sp.GetRequiredService<SqliteJobStore>());
        services.TryAddSingleton<ITokenStore>(sp => sp.GetRequiredService<SqliteTokenStore>());
        services.TryAddSingleton<IAuditSink>(sp => sp.GetRequiredService<SqliteAuditSink>());

        // Script lookups on the hot path go through one in-memory cache; the catalog's deployments go through
        // it too, so they invalidate it exactly.
        services.TryAddSingleton(sp => new CachingScriptStore(sp.GetRequiredService<IScriptStore>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<ScriptCatalog>(sp, sp.GetRequiredService<CachingScriptStore>()));
        services.TryAddSingleton<IJobExecutor, ScriptJobExecutor>();
        services.TryAddSingleton<LocalJobRunner>();
        services.TryAddSingleton<IJobRunner>(sp => sp.GetRequiredService<LocalJobRunner>());
        services.TryAddSingleton(sp => new JobDispatcher(sp.GetRequiredService<CachingScriptStore>(), sp.GetRequiredService<IJobRunner>(),
            sp.GetRequiredService<IAuditSink>(), sp.GetRequiredService<ScriptCatalog>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<TokenService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WindmillHostedService>());
        return builder;
    }

    private sealed class WindmillWebhooksMarker;
}

/// <summary>Deploys the code-registered scripts, then starts the job runner, before the host takes requests.</summary>
internal sealed class WindmillHostedService(ScriptCatalog catalog, IJobRunner runner) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await catalog.EnsureDeployedAsync(cancellationToken).ConfigureAwait(false);
        if (runner is IHostedService hosted)
        {
            await hosted.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        runner is IHostedService hosted ? hosted.StopAsync(cancellationToken) : Task.CompletedTask;
}
