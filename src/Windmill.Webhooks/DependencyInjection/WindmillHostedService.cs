using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.Configuration;
using Windmill.Webhooks.Flows;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Storage;

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

        try
        {
            await catalog.EnsureDeployedAsync(cancellationToken).ConfigureAwait(false);
            await flows.EnsureDeployedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (StorageUnavailableException e)
        {
            // A database that is down at start must not stop the host: requests answer 503 meanwhile, and the next
            // request that needs the code's scripts deploys them once the database is back (the code's flows wait for
            // the next start).
            Log.StorageUnavailableAtStart(logger, e);
        }

        if (runner is IHostedService hosted)
        {
            await hosted.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        runner is IHostedService hosted ? hosted.StopAsync(cancellationToken) : Task.CompletedTask;
}
