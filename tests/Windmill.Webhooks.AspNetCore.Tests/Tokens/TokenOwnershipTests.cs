using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Tests.Tokens;

/// <summary>
/// Whose token is made, with which rights, and who may act on another user's tokens (issue 9, hole 2): a token is created
/// for the user <c>?username=</c> names, with exactly the rights asked for; superadmin rights only on explicit request from
/// an unscoped superadmin; only an unscoped superadmin acts on another user's tokens.
/// </summary>
public sealed class TokenOwnershipTests : IAsyncLifetime
{
    private const string Text = "text/plain; charset=utf-8";
    private const string Admin = TokenApiHost.AdminToken;
    private const string NotYours = "Permission denied: only a superadmin can manage another user's tokens";
    private const string NotThroughAScopedToken = "Permission denied: a scoped token cannot manage another user's tokens";
    private const string NoSuperAdmin = "Permission denied: only a superadmin with an unscoped token can create a superadmin token";
    private TokenApiHost _host = null!;

    private HttpClient Client => _host.Client;

    public async ValueTask InitializeAsync() => _host = await TokenApiHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Create_with_username_makes_a_token_that_acts_as_that_user_and_is_not_superadmin()
    {
        var bob = await _host.MintAsync("bob");

        var created = await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create?username=bob", Admin, """{"label":"for-bob"}""");

        Assert.Equal((HttpStatusCode.Created, Text), (created.Status, created.ContentType));
        var forBob = created.Body;
        var bobsList = await Client.SendAsync(HttpMethod.Get, "/api/users/tokens/list", forBob);
        Assert.Equal(
            [forBob[..10], bob[..10]],
            JsonDocument.Parse(bobsList.Body).RootElement.EnumerateArray().Select(t => t.GetProperty("token_prefix").GetString()));
        Assert.Equal("[]", (await Client.SendAsync(HttpMethod.Get, "/api/users/tokens/list", Admin)).Body);
        Assert.Equal((HttpStatusCode.Forbidden, Text, NotYours), await Client.SendAsync(HttpMethod.Get, "/api/users/tokens/list?username=admin", forBob));
        Assert.Equal((HttpStatusCode.Forbidden, Text, NotYours),
            await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create?username=carol", forBob, "{}"));
        var jobId = (await Client.SendAsync(HttpMethod.Post, "/api/w/demo/jobs/run/p/u/alice/hello", forBob, "{}")).Body;
        var job = await _host.Services.GetRequiredService<IJobRunner>().GetAsync("demo", Guid.Parse(jobId), CancellationToken.None);
        Assert.Equal(("label-for-bob", "u/bob"), (job?.CreatedBy, job?.PermissionedAs));
        var stored = Assert.Single(await _host.StoredTokensAsync(), t => t.Prefix == forBob[..10]);
        Assert.Equal(("bob", false), (stored.Owner, stored.SuperAdmin));
    }

    [Fact]
    public async Task A_superadmin_token_is_only_minted_on_explicit_request_by_an_unscoped_superadmin()
    {
        var bob = await _host.MintAsync("bob");
        var scopedSuperAdmin = await _host.MintAsync("admin", superAdmin: true, scopes: ["users:write"]);
        var alice = await _host.MintAsync("alice");

        var plain = (await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create", Admin, """{"label":"plain"}""")).Body;
        var root = await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create", Admin, """{"label":"root","super_admin":true}""");
        var tokensBefore = (await _host.StoredTokensAsync()).Count;
        var fromScoped = await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create", scopedSuperAdmin, """{"super_admin":true}""");
        var fromUser = await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create", alice, """{"super_admin":true}""");

        Assert.Equal((HttpStatusCode.Forbidden, Text, NotYours), await Client.SendAsync(HttpMethod.Get, "/api/users/tokens/list?username=bob", plain));
        Assert.Equal(HttpStatusCode.Created, root.Status);
        var bobsTokens = await Client.SendAsync(HttpMethod.Get, "/api/users/tokens/list?username=bob", root.Body);
        Assert.Equal(HttpStatusCode.OK, bobsTokens.Status);
        Assert.Contains(bob[..10], bobsTokens.Body, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.Forbidden, Text, NoSuperAdmin), fromScoped);
        Assert.Equal((HttpStatusCode.Forbidden, Text, NoSuperAdmin), fromUser);
        Assert.Equal(tokensBefore, (await _host.StoredTokensAsync()).Count);
        var audit = await _host.TokenAuditAsync();
        Assert.Equal(2, audit.Count);
        Assert.Equal(("admin", root.Body[..10]), (audit[0].Username, audit[0].Resource));
        Assert.Equal(new Dictionary<string, string> { ["super_admin"] = "true" }, audit[0].Parameters);
        Assert.Null(audit[1].Parameters);
    }

    public static TheoryData<string, string, string, string?> ActsOnBob => new()
    {
        { "scoped superadmin", "POST", "/api/users/tokens/create?username=bob", """{"label":"x"}""" },
        { "scoped superadmin", "GET", "/api/users/tokens/list?username=bob", null },
        { "scoped superadmin", "DELETE", "/api/users/tokens/delete/{BOB}?username=bob", null },
        { "scoped superadmin", "POST", "/api/users/tokens/update_scopes/{BOB}?username=bob", """{"scopes":["jobs:read"]}""" },
        { "scoped superadmin", "POST", "/api/users/tokens/update_label/{BOB}?username=bob", """{"label":"taken"}""" },
        { "user", "POST", "/api/users/tokens/create?username=bob", """{"label":"x"}""" },
        { "user", "GET", "/api/users/tokens/list?username=bob", null },
        { "user", "DELETE", "/api/users/tokens/delete/{BOB}?username=bob", null },
        { "user", "POST", "/api/users/tokens/update_scopes/{BOB}?username=bob", """{"scopes":["jobs:read"]}""" },
        { "user", "POST", "/api/users/tokens/update_label/{BOB}?username=bob", """{"label":"taken"}""" },
    };

    [Theory]
    [MemberData(nameof(ActsOnBob))]
    public async Task Only_an_unscoped_superadmin_acts_on_another_users_tokens(string caller, string method, string url, string? json)
    {
        var bob = await _host.MintAsync("bob", label: "bobs");
        var token = caller == "user"
            ? await _host.MintAsync("alice")
            : await _host.MintAsync("admin", superAdmin: true, scopes: ["users:write"]);
        var before = Describe(await _host.StoredTokensAsync());

        var answer = await Client.SendAsync(new HttpMethod(method), url.Replace("{BOB}", bob[..10], StringComparison.Ordinal), token, json);

        Assert.Equal((HttpStatusCode.Forbidden, Text, caller == "user" ? NotYours : NotThroughAScopedToken), answer);
        Assert.Equal(before, Describe(await _host.StoredTokensAsync()));
        Assert.Empty(await _host.TokenAuditAsync());
        Assert.Contains("\"label\":\"bobs\"", (await Client.SendAsync(HttpMethod.Get, "/api/users/tokens/list", bob)).Body, StringComparison.Ordinal);
    }

    private static string[] Describe(List<ApiToken> tokens) =>
        [.. tokens.Select(t => $"{t.Prefix} {t.Owner} {t.Label} {string.Join(',', t.Scopes ?? [])} {t.SuperAdmin} {t.ReadOnly}")];

    [Fact]
    public async Task Acting_on_another_users_tokens_is_audited_with_who_acted_and_whose_token_it_was()
    {
        var created = await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create?username=bob", Admin, """{"label":"for-bob"}""");
        var prefix = created.Body[..10];
        await Client.SendAsync(HttpMethod.Post, $"/api/users/tokens/update_label/{prefix}?username=bob", Admin, """{"label":"renamed"}""");
        await Client.SendAsync(HttpMethod.Post, $"/api/users/tokens/update_scopes/{prefix}?username=bob", Admin, """{"scopes":["jobs:read"]}""");
        var deleted = await Client.SendAsync(HttpMethod.Delete, $"/api/users/tokens/delete/{prefix}?username=bob", Admin);

        var listed = await Client.SendAsync(HttpMethod.Get, "/api/w/global/audit/list", Admin);

        Assert.Equal((HttpStatusCode.OK, Text, $"deleted 1 tokens [\"{prefix}*****\"] with prefix {prefix}"), deleted);
        var entries = JsonDocument.Parse(listed.Body).RootElement.EnumerateArray()
            .Select(e => $"{e.GetProperty("username").GetString()} {e.GetProperty("operation").GetString()} {e.GetProperty("resource").GetString()} {e.GetProperty("parameters").GetRawText()}");
        Assert.Equal(
            [
                $"admin users.token.delete {prefix} {{\"owner\":\"bob\"}}", $"admin users.token.update_scopes {prefix} {{\"owner\":\"bob\"}}",
                $"admin users.token.update_label {prefix} {{\"owner\":\"bob\"}}", $"admin users.token.create {prefix} {{\"owner\":\"bob\"}}",
            ],
            entries);
        Assert.DoesNotContain(created.Body, listed.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_workspace_bound_token_creates_only_tokens_bound_to_its_workspace()
    {
        var bound = await _host.MintAsync("alice", workspace: "demo");

        var unbound = await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create", bound, """{"label":"everywhere"}""");
        var elsewhere = await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create", bound, """{"workspace_id":"ops"}""");
        var same = await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create", bound, """{"workspace_id":"demo"}""");

        const string denied = "Permission denied: a token bound to workspace demo may only create tokens bound to it";
        Assert.Equal((HttpStatusCode.Forbidden, Text, denied), unbound);
        Assert.Equal((HttpStatusCode.Forbidden, Text, denied), elsewhere);
        Assert.Equal(HttpStatusCode.Created, same.Status);
        Assert.Equal(["demo", "demo"], (await _host.StoredTokensAsync()).Select(t => t.WorkspaceId));
    }

    [Fact]
    public async Task Username_given_twice_is_a_malformed_query()
    {
        var answer = await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create?username=bob&username=carol", Admin, "{}");

        Assert.Equal((HttpStatusCode.BadRequest, Text, "Failed to deserialize query string: duplicate field `username`"), answer);
        Assert.Empty(await _host.StoredTokensAsync());
    }
}
