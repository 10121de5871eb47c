using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>
/// <c>MapWindmillDashboard()</c> on the wire: the page shell, its embedded assets and their headers, and the
/// session route that turns a pasted token into the HttpOnly, SameSite=Strict cookie (the browser side is in
/// <c>Windmill.Webhooks.Dashboard.Tests</c>).
/// </summary>
public sealed partial class DashboardEndpointTests
{
    private const string Csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

    [Theory]
    [InlineData("/windmill")]
    [InlineData("/windmill/")]
    [InlineData("/windmill/scripts/u/bot/hello_world")]
    [InlineData("/windmill/jobs/0190f6b2-3c1e-7d2a-9b1f-0f9a1c2b3d4e")]
    public async Task Every_page_path_answers_the_shell_with_where_the_api_is_and_no_data(string path)
    {
        await using var app = new SampleApp();
        using var client = app.CreateAnonymousClient();

        using var response = await client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal((HttpStatusCode.OK, "text/html; charset=utf-8"), (response.StatusCode, Wire.ContentType(response)));
        Assert.Equal(Csp, response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(("nosniff", "DENY", "no-store"), (response.Headers.GetValues("X-Content-Type-Options").Single(),
            response.Headers.GetValues("X-Frame-Options").Single(), response.Headers.CacheControl?.ToString()));
        Assert.Contains("""<meta name="windmill-base" content="/windmill">""", html, StringComparison.Ordinal);
        Assert.Contains("""<meta name="windmill-api" content="/api">""", html, StringComparison.Ordinal);
        Assert.Contains("""<meta name="windmill-workspace" content="demo">""", html, StringComparison.Ordinal);
        Assert.Contains("""<script type="module" src="/windmill/assets/app.js"></script>""", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(InlineCode(), html);
    }

    [Theory]
    [InlineData("app.js", "text/javascript; charset=utf-8")]
    [InlineData("dashboard.css", "text/css; charset=utf-8")]
    [InlineData("icon.svg", "image/svg+xml")]
    public async Task Assets_come_from_the_assembly_with_an_etag_that_revalidates(string name, string contentType)
    {
        await using var app = new SampleApp();
        using var client = app.CreateAnonymousClient();

        using var first = await client.GetAsync("/windmill/assets/" + name);
        var etag = first.Headers.ETag!.Tag;
        using var again = new HttpRequestMessage(HttpMethod.Get, "/windmill/assets/" + name);
        again.Headers.TryAddWithoutValidation("If-None-Match", etag);
        using var second = await client.SendAsync(again);

        Assert.Equal((HttpStatusCode.OK, contentType, "no-cache"), (first.StatusCode, Wire.ContentType(first), first.Headers.CacheControl?.ToString()));
        Assert.NotEmpty(await first.Content.ReadAsByteArrayAsync());
        Assert.Equal(Csp, first.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Theory]
    [InlineData("missing.js")]
    [InlineData("index.html")]
    [InlineData("..%2Fsecrets")]
    public async Task An_unknown_asset_is_a_404(string name)
    {
        await using var app = new SampleApp();
        using var client = app.CreateAnonymousClient();

        using var response = await client.GetAsync("/windmill/assets/" + name);

        Assert.Equal((HttpStatusCode.NotFound, Wire.Text), (response.StatusCode, Wire.ContentType(response)));
    }

    [Fact]
    public async Task Signing_in_sets_the_token_cookie_HttpOnly_SameSite_Strict_and_signing_out_clears_it()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAnonymousClient();

        using var signIn = await client.SendAsync(SessionRequest(HttpMethod.Post, $$"""{"token":"{{SampleApp.AdminToken}}"}"""));
        using var signOut = await client.SendAsync(SessionRequest(HttpMethod.Delete));

        Assert.Equal(HttpStatusCode.NoContent, signIn.StatusCode);
        Assert.Equal($"token={SampleApp.AdminToken}; path=/; samesite=strict; httponly", signIn.Headers.GetValues("Set-Cookie").Single());
        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        Assert.Equal("token=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/; samesite=strict; httponly", signOut.Headers.GetValues("Set-Cookie").Single());
    }

    [Theory]
    [InlineData("AbCdEfGhIjKlMnOpQrStUvWxYz012345")]
    [InlineData("")]
    public async Task A_wrong_token_gets_401_and_no_cookie(string token)
    {
        await using var app = new SampleApp();
        using var client = app.CreateAnonymousClient();

        using var response = await client.SendAsync(SessionRequest(HttpMethod.Post, $$"""{"token":"{{token}}"}"""));

        await Wire.AssertUnauthorizedAsync(response);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task A_token_bound_to_another_workspace_cannot_sign_in_to_this_one()
    {
        await using var app = new SampleApp();
        var (token, _) = await app.Tokens.CreateAsync(new NewTokenRequest { Owner = "alice", WorkspaceId = "ops" }, CancellationToken.None);
        using var client = app.CreateAnonymousClient();

        using var response = await client.SendAsync(SessionRequest(HttpMethod.Post, $$"""{"token":"{{token}}"}"""));

        await Wire.AssertUnauthorizedAsync(response);
    }

    [Theory]
    [InlineData("POST", "no header")]
    [InlineData("POST", "cross-site")]
    [InlineData("DELETE", "no header")]
    public async Task The_session_route_refuses_cross_site_requests(string method, string shape)
    {
        await using var app = new SampleApp();
        using var client = app.CreateAnonymousClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), "/windmill/session") { Content = Wire.JsonBody($$"""{"token":"{{SampleApp.AdminToken}}"}""") };
        if (shape == "cross-site")
        {
            request.Headers.Add("X-Windmill-Csrf", "1");
            request.Headers.Add("Sec-Fetch-Site", "cross-site");
        }

        using var response = await client.SendAsync(request);

        await Wire.AssertAsync(response, HttpStatusCode.Forbidden, Wire.Text,
            "Permission denied: cross-site request refused: send the header X-Windmill-Csrf from this origin");
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public void Mapping_the_dashboard_without_AddWindmillWebhooks_names_the_call_to_add()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapWindmillDashboard());

        Assert.Equal("Unable to find the required services. Add them by calling 'builder.Services.AddWindmillWebhooks()' in the application's service configuration.", error.Message);
    }

    [Fact]
    public async Task The_dashboard_group_takes_the_hosts_conventions()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddWindmillWebhooks().UseInMemoryStores();
        builder.Services.AddAuthorizationBuilder().AddPolicy("ops", policy => policy.RequireRole("ops"));
        await using var app = builder.Build();
        app.MapWindmillWebhooks();
        app.MapWindmillDashboard("/ops/windmill").RequireAuthorization("ops");
        await app.StartAsync();

        using var response = await app.GetTestClient().GetAsync("/ops/windmill/jobs");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static HttpRequestMessage SessionRequest(HttpMethod method, string? json = null)
    {
        var request = new HttpRequestMessage(method, "/windmill/session");
        if (json is not null)
        {
            request.Content = Wire.JsonBody(json);
        }

        request.Headers.Add("X-Windmill-Csrf", "1");
        return request;
    }

    // An inline script or style, or an event-handler attribute: the CSP would block them.
    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>|<style|\son[a-z]+=|style=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineCode();
}
