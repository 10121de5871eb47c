using System.Net;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>
/// Token authentication (docs/wire-format.md §0, §8): Bearer, then cookie <c>token</c>, then <c>?token=</c>;
/// every rejected token gets the same 401 <c>Not authorized: Unauthorized</c>.
/// </summary>
public sealed class AuthenticationTests
{
    private const string HelloWorld = SampleApp.Api + "/jobs/run_wait_result/p/u/bot/hello_world";

    [Theory]
    [InlineData("bearer")]
    [InlineData("cookie")]
    [InlineData("query")]
    public async Task A_valid_token_is_accepted_from_each_source(string source)
    {
        await using var app = new SampleApp();
        using var client = app.CreateAnonymousClient();

        using var response = await client.SendAsync(WithToken(HttpMethod.Post, HelloWorld, source, SampleApp.AdminToken));

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, "\"Hello, world!\"");
    }

    [Theory]
    [InlineData("POST", "/jobs/run/p/u/bot/hello_world")]
    [InlineData("POST", "/jobs/run/h/0123456789abcdef")]
    [InlineData("POST", "/jobs/run_wait_result/p/u/bot/hello_world")]
    [InlineData("GET", "/jobs/run_wait_result/p/u/bot/hello_world")]
    [InlineData("POST", "/jobs/run_wait_result/h/0123456789abcdef")]
    [InlineData("GET", "/jobs/run_wait_result/h/0123456789abcdef")]
    [InlineData("GET", "/scripts/get/p/u/bot/hello_world")]
    [InlineData("GET", "/scripts/get/h/0123456789abcdef")]
    public async Task A_missing_token_gets_401_and_runs_nothing(string method, string route)
    {
        await using var app = new SampleApp();
        using var client = app.CreateAnonymousClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), SampleApp.Api + route) { Content = Wire.JsonBody("{}") });

        await Wire.AssertUnauthorizedAsync(response);
        Assert.Equal(0, await app.CountJobsAsync());
    }

    [Theory]
    [InlineData("unknown", "bearer")]
    [InlineData("unknown", "cookie")]
    [InlineData("unknown", "query")]
    [InlineData("2000 chars", "bearer")]
    [InlineData("2000 chars", "query")]
    [InlineData("spaces", "query")]
    [InlineData("unicode", "query")]
    [InlineData("unicode", "cookie")]
    [InlineData("admin token plus one char", "bearer")]
    [InlineData("admin token in other case", "bearer")]
    public async Task A_bad_token_gets_401_and_runs_nothing(string kind, string source)
    {
        var token = kind switch
        {
            "unknown" => "AbCdEfGhIjKlMnOpQrStUvWxYz012345",
            "2000 chars" => new string('a', 2000),
            "spaces" => "not a token at all",
            "unicode" => "tökén-✓-ключ-🔑",
            "admin token plus one char" => SampleApp.AdminToken + "x",
            "admin token in other case" => SampleApp.AdminToken.ToUpperInvariant(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        await using var app = new SampleApp();
        using var client = app.CreateAnonymousClient();

        using var response = await client.SendAsync(WithToken(HttpMethod.Post, HelloWorld, source, token));

        await Wire.AssertUnauthorizedAsync(response);
        Assert.Equal(0, await app.CountJobsAsync());
    }

    [Fact]
    public async Task An_empty_bearer_gets_401()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAnonymousClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, HelloWorld) { Content = Wire.JsonBody("{}") };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer ");

        using var response = await client.SendAsync(request);

        await Wire.AssertUnauthorizedAsync(response);
    }

    [Fact]
    public async Task A_minted_token_works_until_its_expiration_and_not_at_it()
    {
        await using var app = new SampleApp();
        var expiration = app.Time.GetUtcNow().AddHours(1);
        var (token, _) = await app.Tokens.CreateAsync(new NewTokenRequest { Owner = "alice", Expiration = expiration }, CancellationToken.None);
        using var client = app.CreateClientWithBearer(token);

        using var before = await client.PostAsync(HelloWorld, Wire.JsonBody("{}"));
        app.Time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromTicks(1));
        using var lastMoment = await client.PostAsync(HelloWorld, Wire.JsonBody("{}"));
        app.Time.Advance(TimeSpan.FromTicks(1));
        using var atExpiration = await client.PostAsync(HelloWorld, Wire.JsonBody("{}"));

        await Wire.AssertAsync(before, HttpStatusCode.OK, Wire.Json, "\"Hello, world!\"");
        await Wire.AssertAsync(lastMoment, HttpStatusCode.OK, Wire.Json, "\"Hello, world!\"");
        await Wire.AssertUnauthorizedAsync(atExpiration);
    }

    [Theory]
    [InlineData("other", HttpStatusCode.Unauthorized)]
    [InlineData("demo", HttpStatusCode.OK)]
    [InlineData(null, HttpStatusCode.OK)]
    public async Task A_token_bound_to_a_workspace_works_only_there(string? boundTo, HttpStatusCode expected)
    {
        await using var app = new SampleApp();
        var (token, _) = await app.Tokens.CreateAsync(new NewTokenRequest { Owner = "alice", WorkspaceId = boundTo }, CancellationToken.None);
        using var client = app.CreateClientWithBearer(token);

        using var response = await client.PostAsync(HelloWorld, Wire.JsonBody("{}"));

        if (expected == HttpStatusCode.OK)
        {
            await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, "\"Hello, world!\"");
        }
        else
        {
            await Wire.AssertUnauthorizedAsync(response);
        }
    }

    [Fact]
    public async Task Jobs_run_as_the_token_owner()
    {
        await using var app = new SampleApp();
        var (token, _) = await app.Tokens.CreateAsync(new NewTokenRequest { Owner = "alice" }, CancellationToken.None);
        using var client = app.CreateClientWithBearer(token);

        using var response = await client.PostAsync(SampleApp.Api + "/jobs/run/p/u/bot/echo", Wire.JsonBody("{}"));

        var job = await app.WaitForCompletionAsync(await Wire.AssertCreatedJobAsync(response));
        Assert.Equal(("alice", "u/alice", JobStatus.Success), (job.CreatedBy, job.PermissionedAs, job.Status));
    }

    [Fact]
    public async Task The_bearer_header_is_used_before_cookie_and_query()
    {
        await using var app = new SampleApp();
        using var client = app.CreateClientWithBearer(SampleApp.AdminToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, HelloWorld + "?token=wrongwrongwrongwrongwrongwrong12") { Content = Wire.JsonBody("{}") };
        request.Headers.Add("Cookie", "token=wrongwrongwrongwrongwrongwrong34");

        using var response = await client.SendAsync(request);

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, "\"Hello, world!\"");
    }

    [Fact]
    public async Task A_wrong_bearer_is_not_rescued_by_a_valid_query_token()
    {
        // As in Windmill's extract_token: the first source present is the token.
        await using var app = new SampleApp();
        using var client = app.CreateClientWithBearer("wrongwrongwrongwrongwrongwrong12");

        using var response = await client.PostAsync($"{HelloWorld}?token={SampleApp.AdminToken}", Wire.JsonBody("{}"));

        await Wire.AssertUnauthorizedAsync(response);
    }

    [Theory]
    [InlineData("/jobs/run/p/u/bot/hello_world")]
    [InlineData("/jobs/run/h/0123456789abcdef")]
    [InlineData("/jobs/run_wait_result/p/u/bot/hello_world")]
    [InlineData("/jobs/run_wait_result/h/0123456789abcdef")]
    public async Task Head_on_a_run_route_answers_200_without_a_token_for_webhook_validators(string route)
    {
        await using var app = new SampleApp();
        using var client = app.CreateAnonymousClient();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, SampleApp.Api + route));

        Assert.Equal((HttpStatusCode.OK, ""), (response.StatusCode, await response.Content.ReadAsStringAsync()));
        Assert.Equal(0, await app.CountJobsAsync());
    }

    private static HttpRequestMessage WithToken(HttpMethod method, string url, string source, string token)
    {
        var request = new HttpRequestMessage(method, source == "query" ? $"{url}?token={Uri.EscapeDataString(token)}" : url)
        {
            Content = Wire.JsonBody("{}"),
        };
        switch (source)
        {
            case "bearer":
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
                break;
            case "cookie":
                request.Headers.TryAddWithoutValidation("Cookie", "token=" + Uri.EscapeDataString(token));
                // A cookie counts only with the CSRF header (CookieCsrfTests).
                request.Headers.Add("X-Windmill-Csrf", "1");
                break;
        }

        return request;
    }
}
