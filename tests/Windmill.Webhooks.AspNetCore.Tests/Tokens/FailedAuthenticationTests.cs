using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Windmill.Webhooks.AspNetCore.Authentication;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

namespace Windmill.Webhooks.AspNetCore.Tests.Tokens;

/// <summary>
/// The limit on failed token checks per client address (<c>MaxFailedAttempts</c> in <c>FailedAttemptWindow</c>):
/// past it, unknown tokens from that address get 429, while a valid token from the same address (the same NAT or
/// proxy) is still served. Only refusals by Windmill's routes count, and the address is the connection's, as the
/// host's own <c>ForwardedHeaders</c> middleware leaves it.
/// </summary>
public sealed class FailedAuthenticationTests : IAsyncDisposable
{
    private const string Attacker = "10.0.0.1";
    private const string TokenList = "/api/users/tokens/list";
    private TokenApiHost? _host;

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_valid_token_is_served_from_an_address_that_others_pushed_over_the_limit()
    {
        var host = await StartAsync();
        var used = await host.MintAsync("alice");
        var neverUsed = await host.MintAsync("bob");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, TokenList, used, Attacker)).StatusCode);

        var failures = await FailAsync(TokenList, Attacker, 25);
        using var unknown = await SendAsync(HttpMethod.Get, TokenList, "another-unknown-token", Attacker);
        using var fromMemory = await SendAsync(HttpMethod.Post, "/api/w/demo/jobs/run/p/u/alice/hello", used, Attacker);
        using var fromTheStore = await SendAsync(HttpMethod.Get, TokenList, neverUsed, Attacker);
        using var otherAddress = await SendAsync(HttpMethod.Get, TokenList, "unknown-elsewhere", "10.0.0.2");

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 20), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 5)], failures);
        await AssertLimitedAsync(unknown, 60);
        await Wire.AssertCreatedJobAsync(fromMemory);
        Assert.Equal(HttpStatusCode.OK, fromTheStore.StatusCode);
        Assert.Contains("\"token_prefix\":\"" + neverUsed[..10], await fromTheStore.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Wire.AssertUnauthorizedAsync(otherAddress);
    }

    [Fact]
    public async Task The_window_resets_with_time()
    {
        var host = await StartAsync();
        await FailAsync(TokenList, Attacker, 20);

        host.Time.Advance(TimeSpan.FromSeconds(59));
        using var late = await SendAsync(HttpMethod.Get, TokenList, "unknown", Attacker);
        host.Time.Advance(TimeSpan.FromSeconds(1));
        var afterWindow = await FailAsync(TokenList, Attacker, 21);

        await AssertLimitedAsync(late, 1);
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 20), HttpStatusCode.TooManyRequests], afterWindow);
    }

    [Fact]
    public async Task Failures_on_the_jobs_u_routes_count_and_are_limited_too()
    {
        await StartAsync();
        var route = $"/api/w/demo/jobs_u/get/{Guid.Empty}";

        var failures = await FailAsync(route, Attacker, 20);
        using var limited = await SendAsync(HttpMethod.Get, route, "unknown", Attacker);

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.BadRequest, 20), failures);
        await AssertLimitedAsync(limited, 60);
    }

    [Fact]
    public async Task Failures_where_windmill_tokens_are_the_default_scheme_count_only_on_windmills_routes()
    {
        var host = await StartAsync(
            services => services.AddAuthentication(WindmillTokenDefaults.AuthenticationScheme),
            app => app.MapGet("/healthz", () => "ok"));

        var health = await FailAsync("/healthz", Attacker, 30);
        var notFound = await FailAsync("/no-such-page", Attacker, 30);
        var notFoundUnderThePrefix = await FailAsync("/api/w/demo/no-such-route", Attacker, 30);
        var windmill = await FailAsync(TokenList, Attacker, 21);

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 30), health);
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.NotFound, 60), notFound.Concat(notFoundUnderThePrefix));
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 20), HttpStatusCode.TooManyRequests], windmill);
        Assert.NotNull(host);
    }

    [Fact]
    public async Task In_the_sample_failures_on_a_404_do_not_count()
    {
        // The sample registers one authentication scheme, so ASP.NET Core makes it the default and authenticates every request with it.
        await using var sample = new SampleApp();
        await using var factory = sample.WithWebHostBuilder(web => web.ConfigureTestServices(services =>
            services.AddTransient<Microsoft.AspNetCore.Hosting.IStartupFilter, ClientAddressFromTestHeader>()));
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

        var notFound = await FailAsync(client, "/no-such-page", Attacker, 30);
        var windmill = await FailAsync(client, SampleApp.Api + "/scripts/get/p/u/bot/echo", Attacker, 21);

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.NotFound, 30), notFound);
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 20), HttpStatusCode.TooManyRequests], windmill);
    }

    [Fact]
    public async Task A_spoofed_x_forwarded_for_does_not_change_the_counted_address()
    {
        await StartAsync();
        for (var i = 0; i < 20; i++)
        {
            using var failed = await SendAsync(HttpMethod.Get, TokenList, "unknown", Attacker, forwardedFor: $"198.51.100.{i}");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var spoofed = await SendAsync(HttpMethod.Get, TokenList, "unknown", Attacker, forwardedFor: "203.0.113.9");

        await AssertLimitedAsync(spoofed, 60);
    }

    [Fact]
    public async Task With_the_hosts_forwarded_headers_middleware_the_forwarded_client_is_counted()
    {
        const string proxy = "10.0.0.5";
        await StartAsync(
            services => services.Configure<ForwardedHeadersOptions>(o =>
            {
                o.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
                o.KnownProxies.Add(IPAddress.Parse(proxy));
            }),
            app => app.UseForwardedHeaders());
        for (var i = 0; i < 20; i++)
        {
            using var failed = await SendAsync(HttpMethod.Get, TokenList, "unknown", proxy, forwardedFor: "198.51.100.1");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var sameClient = await SendAsync(HttpMethod.Get, TokenList, "unknown", proxy, forwardedFor: "198.51.100.1");
        using var otherClient = await SendAsync(HttpMethod.Get, TokenList, "unknown", proxy, forwardedFor: "198.51.100.2");

        await AssertLimitedAsync(sameClient, 60);
        await Wire.AssertUnauthorizedAsync(otherClient);
    }

    private async Task<TokenApiHost> StartAsync(Action<IServiceCollection>? configureServices = null, Action<WebApplication>? configureApp = null) =>
        _host = await TokenApiHost.StartAsync(configureServices: configureServices, configureApp: configureApp);

    private Task<List<HttpStatusCode>> FailAsync(string path, string address, int count) => FailAsync(_host!.Client, path, address, count);

    private static async Task<List<HttpStatusCode>> FailAsync(HttpClient client, string path, string address, int count)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var response = await SendAsync(client, HttpMethod.Get, path, $"unknown-token-{i}", address);
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, string address, string? forwardedFor = null) =>
        SendAsync(_host!.Client, method, path, token, address, forwardedFor);

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string token, string address,
        string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(method, path).As(token);
        request.Headers.Add("X-Test-Client", address);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        if (method == HttpMethod.Post)
        {
            request.Json("{}");
        }

        return await client.SendAsync(request);
    }

    private static async Task AssertLimitedAsync(HttpResponseMessage response, int seconds)
    {
        await Wire.AssertAsync(response, HttpStatusCode.TooManyRequests, Wire.Text,
            $"Too many requests: too many failed authentication attempts, retry in {seconds}s");
        Assert.Equal(seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.RetryAfter?.ToString());
    }

    /// <summary>Sets the client address from <c>X-Test-Client</c>, as a real connection would have it.</summary>
    private sealed class ClientAddressFromTestHeader : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(context.Request.Headers["X-Test-Client"].FirstOrDefault() ?? "127.0.0.1");
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
