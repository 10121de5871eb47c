using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Windmill.Webhooks.Audit;

/// <summary>Deletes audit entries older than <see cref="WindmillWebhooksOptions.AuditRetention"/>, at start and then hourly.</summary>
internal sealed partial class AuditRetentionService(IAuditSink sink, TimeProvider time, IOptions<WindmillWebhooksOptions> options,
    ILogger<AuditRetentionService> logger) : BackgroundService
{
    internal static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <summary>Prunes once before the host serves requests, then starts the hourly loop.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await PruneAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.AuditRetention is null || sink is not IAuditLogRetention)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await PruneAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        if (options.Value.AuditRetention is { } retention && sink is IAuditLogRetention pruner)
        {
            var deleted = await pruner.DeleteOlderThanAsync(time.GetUtcNow() - retention, cancellationToken).ConfigureAwait(false);
            Log.Pruned(logger, deleted, retention);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Deleted {Count} audit entries older than {Retention}")]
        public static partial void Pruned(ILogger logger, int count, TimeSpan retention);
    }
}
