using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A host built the way a user would (CreateBuilder, AddWindmillWebhooks, in-memory stores), on a TestServer,
/// with one script <c>u/test/block</c> that signals when it starts and returns 1 once released (or canceled).
/// The clock is a <see cref="TimerSignalingTimeProvider"/> registered before AddWindmillWebhooks, so it wins.
/// </summary>
internal sealed class BlockingScriptHost : IAsyncDisposable
{
    public const string AdminToken = "blocking-host-admin-token-000001";
    public const string SyncUrl = "/api/w/demo/jobs/run_wait_result/p/u/test/block";

    private readonly WebApplication _app;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _requestFinished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BlockingScriptHost(TimeSpan syncWaitTimeout, bool cancelJobOnSyncTimeout)
    {
        Time = new TimerSignalingTimeProvider(SampleApp.Start, syncWaitTimeout);
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(Time);
        builder.Services
            .AddWindmillWebhooks(options =>
            {
                options.SyncWaitTimeout = syncWaitTimeout;
                options.CancelJobOnSyncTimeout = cancelJobOnSyncTimeout;
                options.AdminToken = AdminToken;
            })
            .UseInMemoryStores()
            .AddScript("u/test/block", async (CancellationToken cancellationToken) =>
            {
                _started.TrySetResult();
                await _release.Task.WaitAsync(cancellationToken);
                return 1;
            });

        _app = builder.Build();
        _app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            finally
            {
                _requestFinished.TrySetResult();
            }
        });
        _app.MapWindmillWebhooks();
    }

    public TimerSignalingTimeProvider Time { get; }

    public HttpClient Client { get; private set; } = null!;

    public IJobRunner Runner => _app.Services.GetRequiredService<IJobRunner>();

    /// <summary>Completes when the script's code runs.</summary>
    public Task ScriptStarted => _started.Task.Within();

    /// <summary>Completes when the server is done with the (only) request, whatever the client did.</summary>
    public Task RequestFinished => _requestFinished.Task.Within();

    public static async Task<BlockingScriptHost> StartAsync(TimeSpan syncWaitTimeout, bool cancelJobOnSyncTimeout = false)
    {
        var host = new BlockingScriptHost(syncWaitTimeout, cancelJobOnSyncTimeout);
        await host._app.StartAsync();
        host.Client = host._app.GetTestClient();
        host.Client.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        return host;
    }

    public void ReleaseScript() => _release.TrySetResult();

    public async Task<Job> WaitForCompletionAsync(Guid id) =>
        await Runner.WaitForCompletionAsync("demo", id, CancellationToken.None).Within() ?? throw new InvalidOperationException($"job {id} is unknown");

    public async ValueTask DisposeAsync()
    {
        ReleaseScript(); // no job may outlive the test
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
