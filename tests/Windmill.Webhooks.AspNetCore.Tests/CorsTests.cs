using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.Execution;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>A host adds CORS through the builder that <c>MapWindmillWebhooks()</c> returns, as the README shows.</summary>
public sealed class CorsTests : IAsyncLifetime
{
    private const string Token = "cors-admin-token-0123456789abcdef";
    private const string Run = "/api/w/demo/jobs/run/p/u/bot/echo";
    private WebApplication _app = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        // Windmill's own CORS on the run routes: any origin, GET and POST, these two headers.
        builder.Services.AddCors(cors => cors.AddPolicy("webhooks", policy => policy
            .AllowAnyOrigin().WithMethods("GET", "POST").WithHeaders("content-type", "authorization")));
        builder.Services.AddWindmillWebhooks(options => options.AdminToken = Token)
            .UseInMemoryStores()
            .AddScript("u/bot/echo", (ScriptContext context) => context.Args);
        _app = builder.Build();
        // CORS answers preflights before authorization would refuse them for want of a token.
        _app.UseCors();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapWindmillWebhooks().RequireCors("webhooks");
        await _app.StartAsync();
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Preflight_is_answered_with_the_hosts_policy()
    {
        using var client = _app.GetTestClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, Run);
        preflight.Headers.Add("Origin", "https://partner.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");

        using var response = await client.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("GET,POST", response.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Equal("content-type,authorization", response.Headers.GetValues("Access-Control-Allow-Headers").Single());
    }

    [Fact]
    public async Task Cross_origin_run_carries_the_allow_origin_header()
    {
        using var client = _app.GetTestClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, Run) { Content = Wire.JsonBody("{}") };
        request.Headers.Add("Origin", "https://partner.example");
        request.Headers.Add("Authorization", "Bearer " + Token);

        using var response = await client.SendAsync(request);

        await Wire.AssertCreatedJobAsync(response);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }
}
