using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.ClientCompatibility.Tests;

/// <summary>
/// A host of the library on a real loopback port whose flow jobs an echo executor runs (a flow answers its args, or fails with
/// the text of an arg <c>fail</c>): the client's flow runs are proven here without depending on the flow engine.
/// </summary>
public sealed class EchoFlowHost : IAsyncLifetime
{
    public const string AdminToken = "echo-flow-admin-token-0123456789";

    private WebApplication? _app;

    /// <summary>Where it listens, such as <c>http://127.0.0.1:41236</c>.</summary>
    public string Origin { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddWindmillWebhooks(options => options.AdminToken = AdminToken)
            .UseInMemoryStores()
            .AddJobExecutor<EchoFlowExecutor>();
        _app = builder.Build();
        _app.MapWindmillWebhooks();
        await _app.StartAsync();
        Origin = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private sealed class EchoFlowExecutor : IJobExecutor
    {
        public bool CanExecute(Job job) => job.Runnable.Kind == JobKind.Flow;

        public ValueTask<JobOutcome> ExecuteAsync(Job job, CancellationToken cancellationToken) => ValueTask.FromResult(
            job.Args.ValueKind == JsonValueKind.Object && job.Args.TryGetProperty("fail", out var fail)
                ? JobOutcome.Failure("FlowError", fail.GetString() ?? "failed")
                : JobOutcome.Success(job.Args.Clone()));
    }
}
