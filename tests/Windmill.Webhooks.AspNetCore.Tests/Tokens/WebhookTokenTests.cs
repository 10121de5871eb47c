using System.Net;

namespace Windmill.Webhooks.AspNetCore.Tests.Tokens;

/// <summary>
/// A webhook-specific token (label <c>webhook-&lt;owner&gt;-&lt;4 chars&gt;</c>) runs exactly one script or flow, as the
/// README promises (issue 9, hole 9): any scope that could run more is refused on create, update_scopes and update_label.
/// </summary>
public sealed class WebhookTokenTests : IAsyncLifetime
{
    private const string Text = "text/plain; charset=utf-8";
    private const string Label = "webhook-alice-x1Ab";
    private const string NotOneRunnable =
        "Bad request: a webhook-specific token (label webhook-<owner>-<4 chars>) needs a workspace_id and exactly one scope naming one script or flow: jobs:run:scripts:<path> or jobs:run:flows:<path>, with no wildcard and no list";

    private TokenApiHost _host = null!;

    private HttpClient Client => _host.Client;

    public async ValueTask InitializeAsync() => _host = await TokenApiHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("""["jobs:run:scripts:*"]""")]
    [InlineData("""["jobs:run:scripts:u/alice/*"]""")]
    [InlineData("""["jobs:run:scripts:u/alice/hello,u/alice/other"]""")]
    [InlineData("""["jobs:run:scripts"]""")]
    [InlineData("""["jobs:run"]""")]
    [InlineData("""["run:script/u/alice/*"]""")]
    [InlineData("""["jobs:run:flows:f/team/*"]""")]
    [InlineData("""["jobs:run:scripts:u/alice"]""")]
    [InlineData("""["jobs:run:scripts:u/alice/../bob/x"]""")]
    [InlineData("""["jobs:run:scripts:u/alice/hello","jobs:read"]""")]
    [InlineData("""[]""")]
    [InlineData("""null""")]
    public async Task A_webhook_token_that_could_run_more_than_one_runnable_is_refused_and_nothing_is_written(string scopes)
    {
        var alice = await _host.MintAsync("alice");

        var answer = await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create", alice,
            $$"""{"label":"{{Label}}","scopes":{{scopes}},"workspace_id":"demo"}""");

        Assert.Equal((HttpStatusCode.BadRequest, Text, NotOneRunnable), answer);
        Assert.Single(await _host.StoredTokensAsync());
        Assert.Empty(await _host.TokenAuditAsync());
    }

    [Theory]
    [InlineData("jobs:run:scripts:u/alice/hello", "jobs:run:scripts:u/alice/hello")]
    [InlineData("jobs:run:flows:f/team/etl", "jobs:run:flows:f/team/etl")]
    [InlineData("run:script/u/alice/hello", "jobs:run:scripts:u/alice/hello")]
    public async Task A_webhook_token_naming_one_script_or_flow_is_accepted(string scope, string stored)
    {
        var alice = await _host.MintAsync("alice");

        var answer = await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create", alice,
            $$"""{"label":"{{Label}}","scopes":["{{scope}}"],"workspace_id":"demo"}""");

        Assert.Equal((HttpStatusCode.Created, Text), (answer.Status, answer.ContentType));
        var token = Assert.Single(await _host.StoredTokensAsync(), t => t.Label == Label);
        Assert.Equal([stored], token.Scopes);
    }

    [Fact]
    public async Task Update_scopes_cannot_widen_a_webhook_token()
    {
        var alice = await _host.MintAsync("alice");
        var webhook = (await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create", alice,
            $$"""{"label":"{{Label}}","scopes":["jobs:run:scripts:u/alice/hello"],"workspace_id":"demo"}""")).Body;

        var widened = await Client.SendAsync(HttpMethod.Post, $"/api/users/tokens/update_scopes/{webhook[..10]}", alice, """{"scopes":["jobs:run:scripts:*"]}""");
        var other = await Client.SendAsync(HttpMethod.Post, "/api/w/demo/jobs/run/p/u/alice/other", webhook, "{}");

        Assert.Equal((HttpStatusCode.BadRequest, Text, NotOneRunnable), widened);
        Assert.Equal((HttpStatusCode.Forbidden, Text, "Permission denied: Required scope: jobs:run:scripts:u/alice/other"), other);
        Assert.Equal(["jobs:run:scripts:u/alice/hello"], Assert.Single(await _host.StoredTokensAsync(), t => t.Label == Label).Scopes);
        Assert.Equal(["users.token.create"], (await _host.TokenAuditAsync()).Select(e => e.Operation));
    }

    [Fact]
    public async Task Update_label_cannot_make_a_wide_token_look_like_a_webhook_token()
    {
        var alice = await _host.MintAsync("alice");
        var wide = (await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create", alice,
            """{"label":"ci","scopes":["jobs:run:scripts:u/alice/*"],"workspace_id":"demo"}""")).Body;

        var relabelled = await Client.SendAsync(HttpMethod.Post, $"/api/users/tokens/update_label/{wide[..10]}", alice, $$"""{"label":"{{Label}}"}""");

        Assert.Equal((HttpStatusCode.BadRequest, Text, NotOneRunnable), relabelled);
        Assert.Equal("ci", Assert.Single(await _host.StoredTokensAsync(), t => t.Prefix == wide[..10]).Label);
        Assert.Equal(["users.token.create"], (await _host.TokenAuditAsync()).Select(e => e.Operation));
    }
}
