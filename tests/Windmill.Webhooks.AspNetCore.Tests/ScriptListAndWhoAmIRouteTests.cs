using System.Net;
using System.Text.Json;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>The Windmill routes the dashboard needed besides the others: <c>scripts/list</c>, <c>scripts/history/p</c> and <c>users/whoami</c>.</summary>
public sealed class ScriptListAndWhoAmIRouteTests
{
    [Fact]
    public async Task Scripts_list_shows_the_newest_version_of_each_path_without_content_ordered_by_path()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var hash = await HashAsync(client, "u/bot/echo");

        using var response = await client.GetAsync(SampleApp.Api + "/scripts/list");
        using var listed = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal((HttpStatusCode.OK, Wire.Json), (response.StatusCode, Wire.ContentType(response)));
        Assert.Equal(["u/bot/echo", "u/bot/fail", "u/bot/greet_ts", "u/bot/hello_world", "u/bot/sleep"],
            listed.RootElement.EnumerateArray().Select(s => s.GetProperty("path").GetString()));
        Assert.Equal(
            $$"""{"workspace_id":"demo","hash":"{{hash}}","path":"u/bot/echo","summary":"Returns the args it received","created_by":"system","created_at":"2025-01-31T10:00:00.000000Z","archived":false,"extra_perms":{},"language":"csharp","kind":"script","starred":false,"has_draft":false,"draft_only":false}""",
            listed.RootElement[0].GetRawText());
    }

    [Theory]
    [InlineData("?path_start=u/bot/s", new[] { "u/bot/sleep" })]
    [InlineData("?path_exact=u/bot/fail", new[] { "u/bot/fail" })]
    [InlineData("?path_exact=u/bot", new string[0])]
    [InlineData("?created_by=nobody", new string[0])]
    [InlineData("?per_page=2&page=2", new[] { "u/bot/greet_ts", "u/bot/hello_world" })]
    [InlineData("?per_page=2&page=3", new[] { "u/bot/sleep" })]
    public async Task Scripts_list_filters_and_pages(string query, string[] paths)
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();

        using var listed = JsonDocument.Parse(await client.GetStringAsync(SampleApp.Api + "/scripts/list" + query));

        Assert.Equal(paths, listed.RootElement.EnumerateArray().Select(s => s.GetProperty("path").GetString()));
    }

    [Fact]
    public async Task History_lists_the_versions_of_a_path_newest_first_and_is_empty_for_an_unknown_path()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var hash = await HashAsync(client, "u/bot/hello_world");

        using var known = await client.GetAsync(SampleApp.Api + "/scripts/history/p/u/bot/hello_world");
        using var unknown = await client.GetAsync(SampleApp.Api + "/scripts/history/p/u/bot/nothing");
        using var invalid = await client.GetAsync(SampleApp.Api + "/scripts/history/p/x/y");

        await Wire.AssertAsync(known, HttpStatusCode.OK, Wire.Json, $$"""[{"script_hash":"{{hash}}","created_at":"2025-01-31T10:00:00.000000Z","created_by":"system"}]""");
        await Wire.AssertAsync(unknown, HttpStatusCode.OK, Wire.Json, "[]");
        await Wire.AssertAsync(invalid, HttpStatusCode.BadRequest, Wire.Text, "Bad request: invalid script path: x/y");
    }

    [Fact]
    public async Task A_token_without_scripts_read_may_not_list_scripts()
    {
        await using var app = new SampleApp();
        var (token, _) = await app.Tokens.CreateAsync(new NewTokenRequest { Owner = "alice", Scopes = ["jobs:run:scripts:u/bot/echo"] }, CancellationToken.None);
        using var client = app.CreateClientWithBearer(token);

        using var list = await client.GetAsync(SampleApp.Api + "/scripts/list");
        using var history = await client.GetAsync(SampleApp.Api + "/scripts/history/p/u/bot/echo");

        await Wire.AssertAsync(list, HttpStatusCode.Forbidden, Wire.Text, "Permission denied: Required scope: scripts:read");
        await Wire.AssertAsync(history, HttpStatusCode.Forbidden, Wire.Text, "Permission denied: Required scope: scripts:read");
    }

    [Theory]
    [InlineData("admin", """{"email":"admin","username":"admin","is_admin":true,"is_super_admin":true,"operator":false,"disabled":false,"groups":[],"folders":[],"folders_owners":[]}""")]
    [InlineData("alice", """{"email":"alice","username":"alice","is_admin":false,"is_super_admin":false,"operator":false,"disabled":false,"groups":[],"folders":[],"folders_owners":[]}""")]
    [InlineData("alice, scoped", """{"email":"alice","username":"alice","is_admin":false,"is_super_admin":false,"operator":false,"disabled":false,"groups":[],"folders":[],"folders_owners":[]}""")]
    public async Task Whoami_tells_any_token_who_it_is_and_its_rights(string who, string json)
    {
        await using var app = new SampleApp();
        var token = who == "admin" ? SampleApp.AdminToken
            : (await app.Tokens.CreateAsync(new NewTokenRequest { Owner = "alice", Scopes = who.EndsWith("scoped", StringComparison.Ordinal) ? ["jobs:run:scripts:u/bot/echo"] : null },
                CancellationToken.None)).Token;
        using var client = app.CreateClientWithBearer(token);

        using var response = await client.GetAsync(SampleApp.Api + "/users/whoami");

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, json);
    }

    [Fact]
    public async Task Whoami_without_a_token_is_401()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAnonymousClient();

        await Wire.AssertUnauthorizedAsync(await client.GetAsync(SampleApp.Api + "/users/whoami"));
    }

    private static async Task<string> HashAsync(HttpClient client, string path)
    {
        using var script = JsonDocument.Parse(await client.GetStringAsync($"{SampleApp.Api}/scripts/get/p/{path}"));
        return script.RootElement.GetProperty("hash").GetString()!;
    }
}
