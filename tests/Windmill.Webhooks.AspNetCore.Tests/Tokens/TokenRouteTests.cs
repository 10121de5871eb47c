using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Tests.Tokens;

/// <summary>Windmill's token API (docs/wire-format.md §6) on the wire.</summary>
public sealed class TokenRouteTests : IAsyncLifetime
{
    private const string Text = "text/plain; charset=utf-8";
    private TokenApiHost _host = null!;

    private HttpClient Client => _host.Client;

    public async ValueTask InitializeAsync() => _host = await TokenApiHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Create_answers_201_with_the_plaintext_once_and_list_shows_only_metadata()
    {
        var alice = await _host.MintAsync("alice");

        var created = await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create", alice,
            """{"label":"ci","expiration":"2027-01-01T00:00:00Z","scopes":["jobs:run:scripts:u/alice/hello"],"workspace_id":"demo","read_only":false}""");
        var listed = await Client.SendAsync(HttpMethod.Get, "/api/users/tokens/list", alice);

        Assert.Equal((HttpStatusCode.Created, Text), (created.Status, created.ContentType));
        Assert.Matches("^[A-Za-z0-9]{32}$", created.Body);
        Assert.Equal((HttpStatusCode.OK, "application/json"), (listed.Status, listed.ContentType));
        Assert.DoesNotContain(created.Body, listed.Body, StringComparison.Ordinal);
        var tokens = JsonDocument.Parse(listed.Body).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, tokens.Count);
        var ci = tokens[0];
        Assert.Equal(
            $$"""{"label":"ci","token_prefix":"{{created.Body[..10]}}","expiration":"2027-01-01T00:00:00.000000Z","created_at":"2026-11-27T12:00:00.000000Z","last_used_at":"2026-11-27T12:00:00.000000Z","scopes":["jobs:run:scripts:u/alice/hello"],"workspace_id":"demo","read_only":false}""",
            ci.GetRawText());
        Assert.Equal("""{"label":null,"token_prefix":"{{PREFIX}}","expiration":null,"created_at":"2026-11-27T12:00:00.000000Z","last_used_at":"2026-11-27T12:00:00.000000Z","scopes":null,"workspace_id":null,"read_only":false}""",
            tokens[1].GetRawText().Replace(alice[..10], "{{PREFIX}}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_webhook_specific_token_runs_its_script_as_its_label_and_nothing_else()
    {
        var admin = TokenApiHost.AdminToken;
        var webhook = (await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create", admin,
            """{"label":"webhook-admin-x1Ab","scopes":["jobs:run:scripts:u/alice/hello"],"workspace_id":"demo"}""")).Body;
        var adminsJob = (await Client.SendAsync(HttpMethod.Post, "/api/w/demo/jobs/run/p/u/alice/other", admin, "{}")).Body;

        var ran = await Client.SendAsync(HttpMethod.Post, "/api/w/demo/jobs/run_wait_result/p/u/alice/hello", webhook, """{"name":"hook"}""");
        var jobId = (await Client.SendAsync(HttpMethod.Post, "/api/w/demo/jobs/run/p/u/alice/hello", webhook, "{}")).Body;
        var other = await Client.SendAsync(HttpMethod.Post, "/api/w/demo/jobs/run/p/u/alice/other", webhook, "{}");
        var ownJob = await Client.SendAsync(HttpMethod.Get, $"/api/w/demo/jobs_u/get/{jobId}", webhook);
        var foreignJob = await Client.SendAsync(HttpMethod.Get, $"/api/w/demo/jobs_u/get/{adminsJob}", webhook);
        var script = await Client.SendAsync(HttpMethod.Get, "/api/w/demo/scripts/get/p/u/alice/hello", webhook);
        var elsewhere = await Client.SendAsync(HttpMethod.Post, "/api/w/ops/jobs/run/p/u/alice/hello", webhook, "{}");

        Assert.Equal((HttpStatusCode.OK, "\"Hello, hook!\""), (ran.Status, ran.Body));
        Assert.Equal((HttpStatusCode.Forbidden, Text, "Permission denied: Required scope: jobs:run:scripts:u/alice/other"), other);
        Assert.Equal(HttpStatusCode.OK, ownJob.Status);
        Assert.Equal("webhook-admin-x1Ab", JsonDocument.Parse(ownJob.Body).RootElement.GetProperty("created_by").GetString());
        Assert.Equal("u/admin", JsonDocument.Parse(ownJob.Body).RootElement.GetProperty("permissioned_as").GetString());
        Assert.Equal((HttpStatusCode.NotFound, Text, $"Not found: Job {adminsJob} not found"), foreignJob);
        Assert.Equal((HttpStatusCode.Forbidden, Text, "Permission denied: Required scope: scripts:read"), script);
        Assert.Equal((HttpStatusCode.Unauthorized, Text, "Not authorized: Unauthorized"), elsewhere);
    }

    [Fact]
    public async Task List_tokens_of_a_script_shows_its_webhook_tokens_with_their_owner()
    {
        var webhook = (await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create", TokenApiHost.AdminToken,
            """{"label":"webhook-admin-x1Ab","scopes":["jobs:run:scripts:u/alice/hello"],"workspace_id":"demo"}""")).Body;

        var listed = await Client.SendAsync(HttpMethod.Get, "/api/w/demo/scripts/list_tokens/u/alice/hello", TokenApiHost.AdminToken);
        var none = await Client.SendAsync(HttpMethod.Get, "/api/w/demo/scripts/list_tokens/u/alice/other", TokenApiHost.AdminToken);

        Assert.Equal((HttpStatusCode.OK, "application/json"), (listed.Status, listed.ContentType));
        var token = Assert.Single(JsonDocument.Parse(listed.Body).RootElement.EnumerateArray());
        Assert.Equal(webhook[..10], token.GetProperty("token_prefix").GetString());
        Assert.Equal("admin", token.GetProperty("email").GetString());
        Assert.Equal("[]", none.Body);
    }

    [Fact]
    public async Task Delete_stops_the_token_at_once_and_answers_windmills_text()
    {
        var alice = await _host.MintAsync("alice");
        var doomed = (await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create", alice, """{"label":"doomed"}""")).Body;
        Assert.Equal(HttpStatusCode.OK, (await Client.SendAsync(HttpMethod.Get, "/api/users/tokens/list", doomed)).Status);

        var deleted = await Client.SendAsync(HttpMethod.Delete, $"/api/users/tokens/delete/{doomed[..10]}", alice);
        var after = await Client.SendAsync(HttpMethod.Get, "/api/users/tokens/list", doomed);
        var again = await Client.SendAsync(HttpMethod.Delete, "/api/users/tokens/delete/nope", alice);

        Assert.Equal((HttpStatusCode.OK, Text, $"deleted 1 tokens [\"{doomed[..10]}*****\"] with prefix {doomed[..10]}"), deleted);
        Assert.Equal((HttpStatusCode.Unauthorized, Text, "Not authorized: Unauthorized"), after);
        Assert.Equal((HttpStatusCode.OK, Text, "deleted 0 tokens [] with prefix nope"), again);
    }

    [Fact]
    public async Task Update_scopes_and_label_take_effect_at_once()
    {
        var alice = await _host.MintAsync("alice");
        var token = (await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create", alice, "{}")).Body;
        var prefix = token[..10];
        Assert.Equal(HttpStatusCode.Created, (await Client.SendAsync(HttpMethod.Post, "/api/w/demo/jobs/run/p/u/alice/other", token, "{}")).Status);

        var scopes = await Client.SendAsync(HttpMethod.Post, $"/api/users/tokens/update_scopes/{prefix}", alice, """{"scopes":["jobs:run:scripts:u/alice/hello"]}""");
        var label = await Client.SendAsync(HttpMethod.Post, $"/api/users/tokens/update_label/{prefix}", alice, """{"label":"renamed"}""");
        var run = await Client.SendAsync(HttpMethod.Post, "/api/w/demo/jobs/run/p/u/alice/other", token, "{}");

        Assert.Equal((HttpStatusCode.OK, Text, $"updated scopes of token {prefix}"), scopes);
        Assert.Equal((HttpStatusCode.OK, Text, $"updated label of token {prefix}"), label);
        Assert.Equal(HttpStatusCode.Forbidden, run.Status);
        Assert.Contains("\"label\":\"renamed\"", (await Client.SendAsync(HttpMethod.Get, "/api/users/tokens/list", alice)).Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/users/tokens/create", """{"label":"session"}""", "Bad request: label is in a reserved namespace")]
    [InlineData("/api/users/tokens/create", """{"label":"webhook-bob-abcd","scopes":["jobs:run:scripts:u/a/b"],"workspace_id":"demo"}""", "Bad request: label is in a reserved namespace")]
    [InlineData("/api/users/tokens/create", """{"expiration":"2020-01-01T00:00:00Z"}""", "Bad request: expiration is in the past")]
    [InlineData("/api/users/tokens/create", """{"scopes":["jobs:fly"]}""", "Bad request: invalid scope: jobs:fly")]
    [InlineData("/api/users/tokens/create", """{"label":"{{LONG}}"}""", "Bad request: label is longer than 255 characters")]
    [InlineData("/api/users/tokens/create", """{"label":""", "Bad request: invalid json: ")]
    [InlineData("/api/users/tokens/update_label/0000000000", """{"label":"x"}""", "Not found: token with prefix 0000000000 not found")]
    [InlineData("/api/users/tokens/update_scopes/0000000000", """{"scopes":null}""", "Not found: token with prefix 0000000000 not found")]
    [InlineData("/api/users/tokens/update_label/abc-def", """{"label":"x"}""", "Bad request: invalid token prefix: expected 1 to 10 letters or digits")]
    [InlineData("/api/users/tokens/update_scopes/abcdefghijk", """{"scopes":null}""", "Bad request: invalid token prefix: expected 1 to 10 letters or digits")]
    public async Task Bad_token_requests_get_windmills_text_and_change_nothing(string url, string body, string expected)
    {
        var alice = await _host.MintAsync("alice");
        var before = (await Client.SendAsync(HttpMethod.Get, "/api/users/tokens/list", alice)).Body;

        var answer = await Client.SendAsync(HttpMethod.Post, url, alice, body.Replace("{{LONG}}", new string('x', 256), StringComparison.Ordinal));

        Assert.Equal(expected.StartsWith("Not found", StringComparison.Ordinal) ? HttpStatusCode.NotFound : HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(Text, answer.ContentType);
        Assert.StartsWith(expected, answer.Body, StringComparison.Ordinal);
        Assert.Equal(before, (await Client.SendAsync(HttpMethod.Get, "/api/users/tokens/list", alice)).Body);
    }

    [Fact]
    public async Task A_read_only_token_reads_but_never_runs_or_mutates()
    {
        var reader = await _host.MintAsync("alice", readOnly: true);

        var run = await Client.SendAsync(HttpMethod.Post, "/api/w/demo/jobs/run/p/u/alice/hello", reader, "{}");
        var create = await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create", reader, "{}");
        var read = await Client.SendAsync(HttpMethod.Get, "/api/w/demo/scripts/get/p/u/alice/hello", reader);

        const string denied = "Permission denied: Token is read-only. Mutating endpoints are not allowed.";
        Assert.Equal((HttpStatusCode.Forbidden, Text, denied), run);
        Assert.Equal((HttpStatusCode.Forbidden, Text, denied), create);
        Assert.Equal(HttpStatusCode.OK, read.Status);
    }

    [Fact]
    public async Task An_expired_token_gets_the_same_401_as_any_bad_token()
    {
        var token = await _host.MintAsync("alice", expiration: _host.Time.GetUtcNow().AddMinutes(10));
        Assert.Equal(HttpStatusCode.OK, (await Client.SendAsync(HttpMethod.Get, "/api/users/tokens/list", token)).Status);

        _host.Time.Advance(TimeSpan.FromMinutes(10));
        var expired = await Client.SendAsync(HttpMethod.Get, "/api/users/tokens/list", token);
        var unknown = await Client.SendAsync(HttpMethod.Get, "/api/users/tokens/list", "x".PadRight(32, 'y'));

        Assert.Equal((HttpStatusCode.Unauthorized, Text, "Not authorized: Unauthorized"), expired);
        Assert.Equal(expired, unknown);
    }

    [Fact]
    public async Task A_host_principal_acts_as_its_user_through_the_mapping()
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/users/tokens/create").Json("""{"label":"from-my-ui"}""");
        create.Headers.Add("X-Host-User", "carol");
        create.Headers.Add("X-Windmill-Csrf", "1");
        using var created = await Client.SendAsync(create);
        var token = await created.Content.ReadAsStringAsync();

        var job = await Client.SendAsync(HttpMethod.Post, "/api/w/demo/jobs/run_wait_result/p/u/alice/hello", token, "{}");
        using var anonymous = await Client.PostAsync("/api/users/tokens/create", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, job.Status);
        var listed = await Client.SendAsync(HttpMethod.Get, "/api/users/tokens/list", token);
        Assert.Contains("\"label\":\"from-my-ui\"", listed.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task A_superadmin_manages_another_users_tokens_and_others_cannot()
    {
        var bob = await _host.MintAsync("bob");
        var alice = await _host.MintAsync("alice");

        var foreign = await Client.SendAsync(HttpMethod.Get, "/api/users/tokens/list?username=bob", alice);
        var asAdmin = await Client.SendAsync(HttpMethod.Get, "/api/users/tokens/list?username=bob", TokenApiHost.AdminToken);
        var deleted = await Client.SendAsync(HttpMethod.Delete, $"/api/users/tokens/delete/{bob[..10]}?username=bob", TokenApiHost.AdminToken);

        Assert.Equal((HttpStatusCode.Forbidden, Text, "Permission denied: only a superadmin can manage another user's tokens"), foreign);
        Assert.Contains(bob[..10], asAdmin.Body, StringComparison.Ordinal);
        Assert.StartsWith("deleted 1 tokens", deleted.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client.SendAsync(HttpMethod.Get, "/api/users/tokens/list", bob)).Status);
    }

    [Fact]
    public async Task Jobs_run_with_a_labelled_token_show_the_label_in_created_by()
    {
        var token = await _host.MintAsync("alice", label: "ci");

        var id = (await Client.SendAsync(HttpMethod.Post, "/api/w/demo/jobs/run/p/u/alice/hello", token, "{}")).Body;
        var job = await _host.Services.GetRequiredService<IJobRunner>().GetAsync("demo", Guid.Parse(id), CancellationToken.None);

        Assert.Equal(("label-ci", "u/alice"), (job?.CreatedBy, job?.PermissionedAs));
    }
}
