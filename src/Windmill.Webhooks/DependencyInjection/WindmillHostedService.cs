using Microsoft.Extensions.Hosting;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks;

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
