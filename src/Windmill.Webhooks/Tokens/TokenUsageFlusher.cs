using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Windmill.Webhooks.Tokens;

/// <summary>Writes the tokens' coalesced <c>last_used_at</c> every <see cref="WindmillWebhooksOptions.TokenLastUsedFlushInterval"/>, and at shutdown.</summary>
internal sealed class TokenUsageFlusher(TokenService tokens, TimeProvider time, IOptions<WindmillWebhooksOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.TokenLastUsedFlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await tokens.FlushUsageAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await tokens.FlushUsageAsync(cancellationToken).ConfigureAwait(false);
    }
}
