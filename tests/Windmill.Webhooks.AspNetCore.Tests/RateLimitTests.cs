using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Windmill.Webhooks.AspNetCore.Authentication;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>
/// The README's per-token rate limit, ASP.NET Core's rate limiter on the builder that <c>MapWindmillWebhooks()</c> returns:
/// one token past its limit gets a 429 in Windmill's text format while another token still gets through. The code between
/// the README markers below is the README's, character for character (ReadmeTests checks it).
/// </summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private const string Run = "/api/w/demo/jobs/run/p/u/test/echo";

    private WebApplication _app = null!;

    [Fact]
    public async Task A_token_past_its_limit_gets_429_while_another_token_gets_through()
    {
        using var alice = await ClientWithTokenAsync("alice");
        using var alicesOther = await ClientWithTokenAsync("alice");

        var withinLimit = new List<HttpStatusCode>();
        for (var i = 0; i < 100; i++)
        {
            using var response = await alice.PostAsync(Run, Wire.JsonBody("{}"));
            withinLimit.Add(response.StatusCode);
        }

        using var limited = await alice.PostAsync(Run, Wire.JsonBody("{}"));
        using var other = await alicesOther.PostAsync(Run, Wire.JsonBody("{}"));
        using var unauthenticated = await _app.GetTestClient().PostAsync(Run, Wire.JsonBody("{}"));

        Assert.All(withinLimit, status => Assert.Equal(HttpStatusCode.Created, status));
        await Wire.AssertAsync(limited, HttpStatusCode.TooManyRequests, Wire.Text, "Too many requests: rate limit exceeded for this token");
        await Wire.AssertCreatedJobAsync(other);
        await Wire.AssertUnauthorizedAsync(unauthenticated); // refused before the limiter: it spends no one's permits
    }

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services
            .AddWindmillWebhooks()
            .UseInMemoryStores()
            .AddScript("u/test/echo", (Windmill.Webhooks.Execution.ScriptContext context) => context.Args);

        // README: per-token rate limit
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy("per-token", context => RateLimitPartition.GetFixedWindowLimiter(
                // The token's prefix and owner (never the token itself); a host user has no prefix.
                $"{context.User.Identity?.Name}/{context.User.FindFirst(WindmillClaimTypes.TokenPrefix)?.Value}",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = 100, Window = TimeSpan.FromMinutes(1) }));
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (rejected, cancellationToken) =>
            {
                rejected.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                return new ValueTask(rejected.HttpContext.Response.WriteAsync("Too many requests: rate limit exceeded for this token", cancellationToken));
            };
        });

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter(); // after authorization, so that the policy sees who the token is
        app.MapWindmillWebhooks().RequireRateLimiting("per-token");
        // README: end

        _app = app;
        await _app.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<HttpClient> ClientWithTokenAsync(string owner)
    {
        var (token, _) = await _app.Services.GetRequiredService<TokenService>().CreateAsync(new NewTokenRequest { Owner = owner }, CancellationToken.None);
        var client = _app.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }
}
