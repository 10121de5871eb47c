using Microsoft.Extensions.Diagnostics.HealthChecks;
using Windmill.Webhooks.Health;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the health check of Windmill.Webhooks to <c>AddHealthChecks()</c>.</summary>
public static class WindmillHealthChecksBuilderExtensions
{
    /// <summary>
    /// Checks that the storage takes a write (a probe row written and deleted through the configured stores) and that the
    /// workers keep up: no due job has waited in the queue, unstarted, longer than
    /// <see cref="WindmillHealthCheckOptions.MaxQueueWait"/>. Storage that cannot be written reports
    /// <paramref name="failureStatus"/>; a stalled queue reports <see cref="WindmillHealthCheckOptions.StalledQueueStatus"/>;
    /// each with a description saying what is wrong. Needs <c>AddWindmillWebhooks()</c>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name, and the name of its <see cref="WindmillHealthCheckOptions"/>.</param>
    /// <param name="failureStatus">What unwritable or unreadable storage reports; <see cref="HealthStatus.Unhealthy"/> when <see langword="null"/>.</param>
    /// <param name="tags">Tags to filter checks by, as in <c>MapHealthChecks(…, new() { Predicate = … })</c>.</param>
    /// <param name="configure">Sets the threshold and what a stalled queue reports.</param>
    public static IHealthChecksBuilder AddWindmillWebhooks(this IHealthChecksBuilder builder, string name = "windmill",
        HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, Action<WindmillHealthCheckOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = builder.Services.AddOptions<WindmillHealthCheckOptions>(name)
            .Validate(o => o.MaxQueueWait > TimeSpan.Zero, $"{nameof(WindmillHealthCheckOptions.MaxQueueWait)} of health check '{name}' must be positive")
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return builder.Add(new HealthCheckRegistration(name,
            services => services.GetService<Windmill.Webhooks.Jobs.IJobRunner>() is null
                ? throw new InvalidOperationException("The Windmill health check needs Windmill.Webhooks: call builder.Services.AddWindmillWebhooks().")
                : ActivatorUtilities.CreateInstance<WindmillHealthCheck>(services),
            failureStatus, tags));
    }
}
