using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Windmill.Webhooks;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Flows;
using Windmill.Webhooks.Idempotency;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Storage.PostgreSql;
using Windmill.Webhooks.Tokens;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts every store of Windmill.Webhooks on PostgreSQL.</summary>
public static class PostgreSqlWindmillWebhooksBuilderExtensions
{
    /// <summary>
    /// Stores scripts, flows, jobs, tokens, idempotency keys and the audit log in PostgreSQL, in the schema
    /// <see cref="PostgreSqlStorageOptions.Schema"/> (default <c>windmill</c>), created and migrated at start. Every host that
    /// points at the same database and schema shares one queue: any of them accepts a job, any runs it, and signals (a job is
    /// ready, completed or canceled; a token deleted; a script deployed) cross processes through LISTEN/NOTIFY.
    /// </summary>
    /// <param name="builder">The builder from <c>AddWindmillWebhooks()</c>.</param>
    /// <param name="connectionString">An Npgsql connection string, such as <c>Host=db;Database=windmill;Username=windmill;Password=…</c>.</param>
    /// <param name="configure">Changes the options, such as the schema.</param>
    public static WindmillWebhooksBuilder UsePostgreSql(this WindmillWebhooksBuilder builder, string connectionString,
        Action<PostgreSqlStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        builder.Services.Configure<PostgreSqlStorageOptions>(options =>
        {
            options.ConnectionString = connectionString;
            configure?.Invoke(options);
        });
        return Register(builder, sp =>
        {
            var options = sp.GetRequiredService<IOptions<PostgreSqlStorageOptions>>().Value;
            var dataSource = new NpgsqlDataSourceBuilder(options.ConnectionString)
                .UseLoggerFactory(sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance)
                .Build();
            return new PostgreSqlDatabase(dataSource, options.Schema, Logger<PostgreSqlDatabase>(sp), ownsDataSource: true);
        });
    }

    /// <summary>
    /// <see cref="UsePostgreSql(WindmillWebhooksBuilder, string, Action{PostgreSqlStorageOptions}?)"/> over the
    /// <see cref="NpgsqlDataSource"/> registered in the application's services (by <c>AddNpgsqlDataSource</c>, say), which
    /// the application owns.
    /// </summary>
    /// <param name="builder">The builder from <c>AddWindmillWebhooks()</c>.</param>
    /// <param name="configure">Changes the options, such as the schema.</param>
    public static WindmillWebhooksBuilder UsePostgreSql(this WindmillWebhooksBuilder builder, Action<PostgreSqlStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        return Register(builder, sp => new PostgreSqlDatabase(sp.GetRequiredService<NpgsqlDataSource>(),
            sp.GetRequiredService<IOptions<PostgreSqlStorageOptions>>().Value.Schema, Logger<PostgreSqlDatabase>(sp)));
    }

    private static WindmillWebhooksBuilder Register(WindmillWebhooksBuilder builder, Func<IServiceProvider, PostgreSqlDatabase> database)
    {
        var services = builder.Services;
        services.AddOptions<PostgreSqlStorageOptions>()
            .Validate(o => PostgreSqlDatabase.IsValidSchema(o.Schema),
                "PostgreSqlStorageOptions.Schema must be lowercase letters, digits and '_', starting with a letter or '_', at most 48 characters.")
            .ValidateOnStart();
        services.RemoveAll<PostgreSqlDatabase>();
        services.AddSingleton(database);
        services.TryAddSingleton<PostgreSqlScriptStore>();
        services.TryAddSingleton<PostgreSqlFlowStore>();
        services.TryAddSingleton<PostgreSqlJobStore>();
        services.TryAddSingleton<PostgreSqlTokenStore>();
        services.TryAddSingleton<PostgreSqlAuditSink>();
        services.TryAddSingleton<PostgreSqlIdempotencyStore>();
        services.TryAddSingleton<PostgreSqlJobNotifier>();
        Replace<IScriptStore>(services, sp => sp.GetRequiredService<PostgreSqlScriptStore>());
        Replace<IFlowStore>(services, sp => sp.GetRequiredService<PostgreSqlFlowStore>());
        Replace<IJobStore>(services, sp => sp.GetRequiredService<PostgreSqlJobStore>());
        Replace<ITokenStore>(services, sp => sp.GetRequiredService<PostgreSqlTokenStore>());
        Replace<IAuditSink>(services, sp => sp.GetRequiredService<PostgreSqlAuditSink>());
        Replace<IIdempotencyStore>(services, sp => sp.GetRequiredService<PostgreSqlIdempotencyStore>());
        Replace<IJobNotifier>(services, sp => sp.GetRequiredService<PostgreSqlJobNotifier>());
        return builder;
    }

    private static void Replace<TService>(IServiceCollection services, Func<IServiceProvider, TService> factory)
        where TService : class
    {
        services.RemoveAll<TService>();
        services.AddSingleton(factory);
    }

    private static ILogger<T> Logger<T>(IServiceProvider services) =>
        services.GetService<ILogger<T>>() ?? NullLogger<T>.Instance;
}
