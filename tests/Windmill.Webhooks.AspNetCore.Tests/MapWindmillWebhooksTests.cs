using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>
/// <c>MapWindmillWebhooks()</c> as a host uses it (docs/design.md, examples 1–2): a clear error without
/// <c>AddWindmillWebhooks()</c>, a custom prefix, and a convention builder that reaches every route.
/// </summary>
public sealed class MapWindmillWebhooksTests
{
    private const string Token = "map-tests-admin-token-0000000001";

    [Fact]
    public async Task Without_AddWindmillWebhooks_it_throws_naming_the_call_to_add()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapWindmillWebhooks());

        Assert.Contains("AddWindmillWebhooks()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conventions_chained_on_the_returned_builder_reach_every_route()
    {
        await using var app = await StartAsync(map: app => app.MapWindmillWebhooks().WithMetadata(new HostMarker("chained")));
        using var client = app.GetTestClient();

        string?[] markers =
        [
            await MarkerAsync(client, HttpMethod.Head, "/api/w/demo/jobs/run/p/u/test/hello"),
            await MarkerAsync(client, HttpMethod.Post, $"/api/w/demo/jobs/run_wait_result/p/u/test/hello?token={Token}"),
            await MarkerAsync(client, HttpMethod.Get, $"/api/w/demo/jobs_u/completed/get_result_maybe/{Guid.Empty}?token={Token}"),
            await MarkerAsync(client, HttpMethod.Get, $"/api/w/demo/scripts/get/p/u/test/hello?token={Token}"),
        ];

        Assert.All(markers, marker => Assert.Equal("chained", marker));
    }

    [Fact]
    public async Task RequireCors_on_the_returned_builder_applies_the_hosts_policy()
    {
        await using var app = await StartAsync(
            services => services.AddCors(cors => cors.AddPolicy("webhooks", policy => policy.WithOrigins("https://hooks.example").AllowAnyHeader().AllowAnyMethod())),
            app =>
            {
                // CORS before authorization, or a preflight (which carries no token) is refused.
                app.UseCors();
                app.UseAuthentication();
                app.UseAuthorization();
                app.MapWindmillWebhooks().RequireCors("webhooks");
            });
        using var client = app.GetTestClient();

        using var allowed = await client.SendAsync(Post("https://hooks.example"));
        using var other = await client.SendAsync(Post("https://elsewhere.example"));
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/w/demo/jobs/run_wait_result/p/u/test/hello");
        preflight.Headers.Add("Origin", "https://hooks.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        using var preflightResponse = await client.SendAsync(preflight);

        await Wire.AssertAsync(allowed, HttpStatusCode.OK, Wire.Json, "\"hi\"");
        Assert.Equal("https://hooks.example", Assert.Single(allowed.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.NoContent, preflightResponse.StatusCode);
        Assert.Equal("https://hooks.example", Assert.Single(preflightResponse.Headers.GetValues("Access-Control-Allow-Origin")));

        static HttpRequestMessage Post(string origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/w/demo/jobs/run_wait_result/p/u/test/hello?token={Token}") { Content = Wire.JsonBody("{}") };
            request.Headers.Add("Origin", origin);
            return request;
        }
    }

    [Fact]
    public async Task A_custom_prefix_serves_the_routes_there_and_only_there()
    {
        await using var app = await StartAsync(map: app => app.MapWindmillWebhooks("/windmill"));
        using var client = app.GetTestClient();

        using var moved = await client.PostAsync($"/windmill/w/demo/jobs/run_wait_result/p/u/test/hello?token={Token}", Wire.JsonBody("{}"));
        using var old = await client.PostAsync($"/api/w/demo/jobs/run_wait_result/p/u/test/hello?token={Token}", Wire.JsonBody("{}"));

        await Wire.AssertAsync(moved, HttpStatusCode.OK, Wire.Json, "\"hi\"");
        Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
    }

    [Fact]
    public async Task AddWindmillWebhooks_twice_is_harmless()
    {
        await using var app = await StartAsync(services => services.AddWindmillWebhooks());
        using var client = app.GetTestClient();

        using var response = await client.PostAsync($"/api/w/demo/jobs/run_wait_result/p/u/test/hello?token={Token}", Wire.JsonBody("{}"));

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, "\"hi\"");
    }

    private static async Task<WebApplication> StartAsync(Action<IServiceCollection>? services = null, Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddWindmillWebhooks(options => options.AdminToken = Token)
            .UseInMemoryStores()
            .AddScript("u/test/hello", () => "hi");
        services?.Invoke(builder.Services);
        var app = builder.Build();
        // Tells the client which metadata the matched endpoint carries.
        app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<HostMarker>() is { } marker)
            {
                context.Response.Headers["x-host-marker"] = marker.Name;
            }

            return next(context);
        });
        (map ?? (a => a.MapWindmillWebhooks())).Invoke(app);
        await app.StartAsync();
        return app;
    }

    private static async Task<string?> MarkerAsync(HttpClient client, HttpMethod method, string url)
    {
        using var response = await client.SendAsync(new HttpRequestMessage(method, url) { Content = method == HttpMethod.Post ? Wire.JsonBody("{}") : null });
        Assert.True(response.IsSuccessStatusCode, $"{method} {url} answered {response.StatusCode}");
        return response.Headers.TryGetValues("x-host-marker", out var values) ? values.Single() : null;
    }

    private sealed record HostMarker(string Name);
}
