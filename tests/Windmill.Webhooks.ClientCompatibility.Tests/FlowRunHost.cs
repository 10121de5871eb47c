using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Windmill.Webhooks.ClientCompatibility.Tests;

/// <summary>
/// A host of the library on a real loopback port, with in-memory stores and the JavaScript package, where the client's flow
/// runs are proven on flows of the tests' own.
/// </summary>
public sealed class FlowRunHost : IAsyncLifetime
{
    public const string AdminToken = "flow-run-admin-token-01234567890";

    private WebApplication? _app;

    /// <summary>Where it listens, such as <c>http://127.0.0.1:41236</c>.</summary>
    public string Origin { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddWindmillWebhooks(options => options.AdminToken = AdminToken)
            .UseInMemoryStores()
            .AddJavaScript();
        _app = builder.Build();
        _app.MapWindmillWebhooks();
        await _app.StartAsync();
        Origin = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
