using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Windmill.Webhooks;
using Windmill.Webhooks.Flows;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Sample;

/// <summary>
/// Once the server listens, logs the dashboard's URL, the four webhook URLs of every script and the two of every flow;
/// never a token.
/// </summary>
internal sealed partial class WebhookUrlLogger(IHostApplicationLifetime lifetime, IServer server, IScriptStore scripts, IFlowStore flows,
    IOptions<WindmillWebhooksOptions> options, ILogger<WebhookUrlLogger> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        var origin = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:8000";
        LogDashboard(logger, $"{origin.TrimEnd('/')}/windmill");
        var workspace = options.Value.DefaultWorkspace;
        var api = $"{origin.TrimEnd('/')}/api/w/{workspace}/jobs";
        await foreach (var script in scripts.ListAsync(new ScriptQuery { Workspace = workspace }, stoppingToken))
        {
            LogUrls(logger, script.Path,
                $"{api}/run/p/{script.Path}", $"{api}/run/h/{script.Hash}",
                $"{api}/run_wait_result/p/{script.Path}", $"{api}/run_wait_result/h/{script.Hash}");
        }

        await foreach (var flow in flows.ListAsync(new FlowQuery { Workspace = workspace }, stoppingToken))
        {
            LogFlowUrls(logger, flow.Path, $"{api}/run/f/{flow.Path}", $"{api}/run_wait_result/f/{flow.Path}");
        }
    }

    [LoggerMessage(3, LogLevel.Information, "Webhooks of flow {Path}:\n  async: POST {Async}\n  sync:  POST {Sync}")]
    private static partial void LogFlowUrls(ILogger logger, string path, string async, string sync);

    [LoggerMessage(2, LogLevel.Information, "Dashboard: {DashboardUrl} (sign in with the admin token)")]
    private static partial void LogDashboard(ILogger logger, string dashboardUrl);

    [LoggerMessage(1, LogLevel.Information,
        "Webhooks of {Path}:\n  async by path: POST {AsyncByPath}\n  async by hash: POST {AsyncByHash}\n  sync by path:  POST {SyncByPath}\n  sync by hash:  POST {SyncByHash}")]
    private static partial void LogUrls(ILogger logger, string path, string asyncByPath, string asyncByHash, string syncByPath, string syncByHash);
}
