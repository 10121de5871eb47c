using System.Net;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.AspNetCore.Tests.Tokens;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>
/// CSRF on the API: a credential the browser attaches by itself (the cookie <c>token</c>, or a host scheme's
/// sign-in) counts only on a same-origin request that sends <c>X-Windmill-Csrf</c>, which a cross-site form
/// or link cannot send. Otherwise the request is answered as unauthenticated and runs nothing.
/// </summary>
public sealed class CookieCsrfTests
{
    private const string Run = SampleApp.Api + "/jobs/run/p/u/bot/hello_world";
    private const string Refused = "Not authorized: a cookie authenticates only same-origin requests that send the header X-Windmill-Csrf";

    [Theory]
    [InlineData("no header", "POST")]
    [InlineData("no header", "GET")]
    [InlineData("header, Sec-Fetch-Site cross-site", "POST")]
    [InlineData("header, Sec-Fetch-Site same-site", "POST")]
    [InlineData("header, Origin of another site", "POST")]
    [InlineData("header, Origin null", "POST")]
    public async Task A_cookie_without_the_header_or_from_another_site_is_refused_and_runs_nothing(string shape, string method)
    {
        await using var app = new SampleApp();
        using var client = app.CreateAnonymousClient();
        var url = method == "GET" ? SampleApp.Api + "/jobs/run_wait_result/p/u/bot/hello_world" : Run;
        using var request = CookieRequest(new HttpMethod(method), url, SampleApp.AdminToken, shape);

        using var response = await client.SendAsync(request);

        await Wire.AssertAsync(response, HttpStatusCode.Unauthorized, Wire.Text, Refused);
        Assert.Equal(0, await app.CountJobsAsync());
    }

    [Theory]
    [InlineData("header")]
    [InlineData("header, Sec-Fetch-Site same-origin")]
    [InlineData("header, Origin of this site")]
    public async Task A_cookie_with_the_header_from_this_origin_is_accepted(string shape)
    {
        await using var app = new SampleApp();
        using var client = app.CreateAnonymousClient();

        using var response = await client.SendAsync(CookieRequest(HttpMethod.Post, Run, SampleApp.AdminToken, shape));

        await app.WaitForCompletionAsync(await Wire.AssertCreatedJobAsync(response));
    }

    [Fact]
    public async Task A_refused_cookie_does_not_hide_a_valid_query_token()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAnonymousClient();

        using var response = await client.SendAsync(CookieRequest(HttpMethod.Post, $"{Run}?token={SampleApp.AdminToken}", "someone-elses-cookie-token-000000", "no header"));

        await app.WaitForCompletionAsync(await Wire.AssertCreatedJobAsync(response));
    }

    [Fact]
    public async Task Without_any_cookie_a_missing_token_keeps_windmills_401()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAnonymousClient();

        using var response = await client.PostAsync(Run, Wire.JsonBody("{}"));

        await Wire.AssertUnauthorizedAsync(response);
    }

    [Fact]
    public async Task A_host_sign_in_follows_the_same_rule()
    {
        await using var host = await TokenApiHost.StartAsync();
        using var forged = new HttpRequestMessage(HttpMethod.Get, "/api/users/tokens/list");
        forged.Headers.Add("X-Host-User", "carol");
        using var sameOrigin = new HttpRequestMessage(HttpMethod.Get, "/api/users/tokens/list");
        sameOrigin.Headers.Add("X-Host-User", "carol");
        sameOrigin.Headers.Add("X-Windmill-Csrf", "1");

        using var refused = await host.Client.SendAsync(forged);
        using var accepted = await host.Client.SendAsync(sameOrigin);

        await Wire.AssertAsync(refused, HttpStatusCode.Unauthorized, Wire.Text, Refused);
        await Wire.AssertAsync(accepted, HttpStatusCode.OK, Wire.Json, "[]");
    }

    private static HttpRequestMessage CookieRequest(HttpMethod method, string url, string token, string shape)
    {
        var request = new HttpRequestMessage(method, url);
        if (method == HttpMethod.Post)
        {
            request.Content = Wire.JsonBody("{}");
        }

        request.Headers.Add("Cookie", "token=" + token);
        if (shape.StartsWith("header", StringComparison.Ordinal))
        {
            request.Headers.Add("X-Windmill-Csrf", "1");
        }

        var (name, value) = shape switch
        {
            "header, Sec-Fetch-Site cross-site" => ("Sec-Fetch-Site", "cross-site"),
            "header, Sec-Fetch-Site same-site" => ("Sec-Fetch-Site", "same-site"),
            "header, Sec-Fetch-Site same-origin" => ("Sec-Fetch-Site", "same-origin"),
            "header, Origin of another site" => ("Origin", "http://evil.example"),
            "header, Origin null" => ("Origin", "null"),
            "header, Origin of this site" => ("Origin", "http://localhost"),
            _ => ("", ""),
        };
        if (name.Length > 0)
        {
            request.Headers.Add(name, value);
        }

        return request;
    }
}
