using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.Tests.Tokens;

public sealed class TokenScopesTests
{
    [Theory]
    // Run scopes: any runnable, a kind, a path, wildcards.
    [InlineData("jobs:run", "jobs:run:scripts:u/alice/hello", true)]
    [InlineData("jobs:run:scripts", "jobs:run:scripts:u/alice/hello", true)]
    [InlineData("jobs:run:flows", "jobs:run:scripts:u/alice/hello", false)]
    [InlineData("jobs:run:scripts:u/alice/hello", "jobs:run:scripts:u/alice/hello", true)]
    [InlineData("jobs:run:scripts:u/alice/hello", "jobs:run:scripts:u/alice/hello2", false)]
    [InlineData("jobs:run:scripts:u/alice/hello", "jobs:run:flows:u/alice/hello", false)]
    [InlineData("jobs:run:scripts:*", "jobs:run:scripts:f/any/thing", true)]
    [InlineData("jobs:run:scripts:f/team/*", "jobs:run:scripts:f/team/etl", true)]
    [InlineData("jobs:run:scripts:f/team/*", "jobs:run:scripts:f/team/sub/etl", true)]
    [InlineData("jobs:run:scripts:f/team/*", "jobs:run:scripts:f/team", true)]
    [InlineData("jobs:run:scripts:f/team/*", "jobs:run:scripts:f/teamx/etl", false)]
    [InlineData("jobs:run:scripts:u/a/x,u/a/y", "jobs:run:scripts:u/a/y", true)]
    [InlineData("jobs:run:flows:f/team/*", "jobs:run:flows:f/team/etl", true)]
    // Legacy forms are rewritten.
    [InlineData("run:script/u/alice/hello", "jobs:run:scripts:u/alice/hello", true)]
    [InlineData("run:flow/f/team/etl", "jobs:run:flows:f/team/etl", true)]
    [InlineData("jobs:runscript", "jobs:run:scripts:u/alice/hello", true)]
    [InlineData("jobs:runflow", "jobs:run:flows:f/x/y", true)]
    [InlineData("jobs:listjobs", "jobs:read", true)]
    [InlineData("jobs:deletejob", "jobs:write", true)]
    // Read and write: write includes read, delete is write.
    [InlineData("jobs:read", "jobs:read", true)]
    [InlineData("jobs:read", "jobs:write", false)]
    [InlineData("jobs:write", "jobs:read", true)]
    [InlineData("jobs:delete", "jobs:write", true)]
    [InlineData("scripts:read", "jobs:read", false)]
    [InlineData("jobs:run", "jobs:read", false)]
    [InlineData("jobs:read", "jobs:run:scripts:u/a/b", false)]
    [InlineData("audit:read", "audit:read", true)]
    public void A_scope_grants_what_windmill_says(string held, string required, bool allowed) =>
        Assert.Equal(allowed, TokenScopes.Allows([held], required));

    [Fact]
    public void No_scopes_or_only_tag_filters_mean_full_rights()
    {
        Assert.True(TokenScopes.Allows(null, "jobs:run:scripts:u/a/b"));
        Assert.True(TokenScopes.Allows([], "audit:read"));
        Assert.True(TokenScopes.Allows(["if_jobs:filter_tags:gpu"], "jobs:write"));
        Assert.False(TokenScopes.Allows(["if_jobs:filter_tags:gpu", "jobs:read"], "jobs:write"));
    }

    [Theory]
    [InlineData("webhook-alice-x1Ab", "webhook-alice-x1Ab")]
    [InlineData("http-route", "http-route")]
    [InlineData("email-trigger", "email-trigger")]
    [InlineData("ws-listener", "ws-listener")]
    [InlineData("ci", "label-ci")]
    [InlineData("session", "alice")]
    [InlineData("ephemeral-script", "alice")]
    [InlineData(null, "alice")]
    public void Jobs_show_the_token_label_as_windmill_does(string? label, string createdBy) =>
        Assert.Equal(createdBy, new Caller("alice") { TokenLabel = label }.CreatedBy);
}
