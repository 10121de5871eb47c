using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.Configuration;
using Windmill.Webhooks.Flows;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks;

/// <summary>Deploys the code-registered scripts and flows, then starts the job runner, before the host takes requests.</summary>
internal sealed partial class WindmillHostedService(ScriptCatalog catalog, FlowCatalog flows, IJobRunner runner, IOptions<WindmillWebhooksOptions> options,
    IEnumerable<WindmillConfigurationPath> configuration, ILogger<WindmillHostedService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(options.Value.AdminToken))
        {
            // A new app otherwise answers 401 to everything with nothing saying how to get in.
            var key = WindmillConfigurationPath.Of(configuration) is { Length: > 0 } path ? $"{path}:AdminToken" : "AdminToken";
            Log.NoAdminToken(logger, key, key.Replace(":", "__", StringComparison.Ordinal));
        }

        await catalog.EnsureDeployedAsync(cancellationToken).ConfigureAwait(false);
        await flows.EnsureDeployedAsync(cancellationToken).ConfigureAwait(false);
        if (runner is IHostedService hosted)
        {
            await hosted.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        runner is IHostedService hosted ? hosted.StopAsync(cancellationToken) : Task.CompletedTask;
}
