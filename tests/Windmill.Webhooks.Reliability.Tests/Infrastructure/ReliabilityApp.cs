using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Windmill.Webhooks.Reliability.Tests.Infrastructure;

/// <summary>
/// The sample app (<c>samples/Windmill.Webhooks.Sample</c>) on a <see cref="DatabaseFile"/>, configured the documented way
/// (<c>ConnectionStrings:Windmill</c>, <c>Windmill:AdminToken</c>, other <c>Windmill:*</c> settings), plus the test script
/// <see cref="ScriptGate.Path"/>. Each answer names the endpoint that routing chose in <see cref="MatchedEndpointHeader"/>.
/// </summary>
internal sealed class ReliabilityApp(DatabaseFile database, IReadOnlyDictionary<string, string>? settings = null, TimeProvider? time = null,
    Action<IServiceCollection>? configureServices = null)
    : WebApplicationFactory<Program>
{
    public const string AdminToken = "reliability-admin-token-0123456789";
    public const string Api = "/api/w/demo";

    /// <summary>The display name of the endpoint routing matched, or <c>(none)</c>: tells routing's own 404/405 from a route's.</summary>
    public const string MatchedEndpointHeader = "x-test-endpoint";

    /// <summary>A request header whose value becomes the request's trace identifier, so answers that name it are exact.</summary>
    public const string TraceIdHeader = "x-test-trace-id";

    public ScriptGate Gate { get; } = new();

    public HttpClient CreateAdminClient()
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return client;
    }

    public HttpClient CreateAnonymousClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    /// <summary>Signals the host to stop, as SIGTERM does: <c>ApplicationStopping</c> fires. The host stops on dispose.</summary>
    public void SignalStop() => Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Windmill", database.ConnectionString);
        builder.UseSetting("Windmill:AdminToken", AdminToken);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }

        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.Hosting.Lifetime", "Warning");
        builder.ConfigureTestServices(services =>
        {
            services.AddWindmillWebhooks().AddScript(ScriptGate.Path, Gate.Handler);
            services.AddSingleton<IStartupFilter, MatchedEndpointStartupFilter>();
            if (time is not null)
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton(time);
            }

            configureServices?.Invoke(services);
        });
    }

    private sealed class MatchedEndpointStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers.TryGetValue(TraceIdHeader, out var traceId))
                {
                    context.TraceIdentifier = traceId.ToString();
                }

                context.Response.OnStarting(() =>
                {
                    context.Response.Headers[MatchedEndpointHeader] = context.GetEndpoint()?.DisplayName ?? "(none)";
                    return Task.CompletedTask;
                });
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
