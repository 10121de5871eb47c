using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Windmill.Webhooks.Audit;

/// <summary>Deletes audit entries older than <see cref="WindmillWebhooksOptions.AuditRetention"/>, at start and then hourly.</summary>
internal sealed partial class AuditRetentionService(IAuditSink sink, TimeProvider time, IOptions<WindmillWebhooksOptions> options,
    ILogger<AuditRetentionService> logger) : BackgroundService
{
    internal static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.AuditRetention is not { } retention || sink is not IAuditLogRetention pruner)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                var deleted = await pruner.DeleteOlderThanAsync(time.GetUtcNow() - retention, stoppingToken).ConfigureAwait(false);
                Log.Pruned(logger, deleted, retention);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Deleted {Count} audit entries older than {Retention}")]
        public static partial void Pruned(ILogger logger, int count, TimeSpan retention);
    }
}
