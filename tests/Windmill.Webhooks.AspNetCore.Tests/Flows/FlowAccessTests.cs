using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.Tokens;
using static Windmill.Webhooks.AspNetCore.Tests.Flows.FlowRequests;

namespace Windmill.Webhooks.AspNetCore.Tests.Flows;

/// <summary>What the flows routes refuse: bad input (400, nothing stored), missing rights (403) and missing credentials (401).</summary>
public sealed class FlowAccessTests
{
    public static TheoryData<string, string> BadCreates => new()
    {
        { "{", "Bad request: invalid json: " },
        { "[]", "Bad request: invalid json: " },
        { """{"summary":"x","value":{"modules":[]}}""", "Bad request: invalid json: missing field `path`" },
        { """{"path":"u/admin/f","summary":"x"}""", "Bad request: invalid json: missing field `value`" },
        { """{"path":"u/admin/f","summary":"x","value":null}""", "Bad request: invalid json: missing field `value`" },
        { """{"path":"u/admin/f","summary":"x","value":[1]}""", "Bad request: invalid value: expected a JSON object (an OpenFlow FlowValue)" },
        { """{"path":"u/admin/f","summary":"x","value":{"modules":[]},"schema":"no"}""", "Bad request: invalid schema: expected a JSON object" },
        { """{"path":"u/admin","summary":"x","value":{"modules":[]}}""", "Bad request: invalid flow path: u/admin: expected u/<user>/<name> or f/<folder>/<name>" },
        { """{"path":"x/admin/f","summary":"x","value":{"modules":[]}}""", "Bad request: invalid flow path: x/admin/f: expected u/<user>/<name> or f/<folder>/<name>" },
        { """{"path":"u/admin/../f","summary":"x","value":{"modules":[]}}""", "Bad request: invalid flow path: u/admin/../f: expected u/<user>/<name> or f/<folder>/<name>" },
    };

    [Theory]
    [MemberData(nameof(BadCreates))]
    public async Task A_bad_create_is_400_in_windmills_text_and_stores_nothing(string body, string expected)
    {
        await using var host = await StoredScriptHost.StartAsync();

        using var response = await PostCreateAsync(host.Client, body);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal((HttpStatusCode.BadRequest, Wire.Text), (response.StatusCode, Wire.ContentType(response)));
        Assert.StartsWith(expected, text, StringComparison.Ordinal);
        Assert.Empty(await ListedPathsAsync(host.Client, "?show_archived=false"));
        Assert.Empty(await host.AuditAsync("flows."));
    }

    [Fact]
    public async Task A_definition_over_the_size_limit_is_400_for_create_and_update()
    {
        await using var host = await StoredScriptHost.StartAsync();
        await CreateAsync(host.Client, "u/admin/f");
        var big = $$"""{"modules":[],"pad":"{{new string('x', StoredScriptHost.MaxFlowDefinition)}}"}""";
        var size = big.Length;

        using var create = await PostCreateAsync(host.Client, NewFlow("u/admin/g", big));
        using var update = await host.Client.PostAsync(FlowRequests.Flows + "/update/u/admin/f", Wire.JsonBody(NewFlow("u/admin/f", big)));

        var expected = $"Bad request: the flow's definition is {size} bytes, more than the {StoredScriptHost.MaxFlowDefinition} this server accepts";
        await Wire.AssertAsync(create, HttpStatusCode.BadRequest, Wire.Text, expected);
        await Wire.AssertAsync(update, HttpStatusCode.BadRequest, Wire.Text, expected);
        Assert.Equal(["u/admin/f"], await ListedPathsAsync(host.Client));
        Assert.Equal(1, (await GetAsync(host.Client, "u/admin/f")).GetProperty("version_id").GetInt32());
    }

    [Fact]
    public async Task A_malformed_path_in_a_read_route_is_400()
    {
        await using var host = await StoredScriptHost.StartAsync();

        foreach (var route in new[] { "/get/u/x", "/exists/u/x", "/history/p/u/x", "/list_tokens/u/x" })
        {
            using var response = await host.Client.GetAsync(FlowRequests.Flows + route);
            await Wire.AssertAsync(response, HttpStatusCode.BadRequest, Wire.Text, "Bad request: invalid flow path: u/x");
        }
    }

    [Fact]
    public async Task A_user_writes_flows_in_their_own_space_and_in_folders_but_not_in_another_users()
    {
        await using var host = await StoredScriptHost.StartAsync();
        using var alice = await host.CreateClientWithTokenAsync(new NewTokenRequest { Owner = "alice" });
        await CreateAsync(host.Client, "u/bob/f");

        using var own = await PostCreateAsync(alice, NewFlow("u/alice/f"));
        using var folder = await PostCreateAsync(alice, NewFlow("f/team/f"));
        using var others = await PostCreateAsync(alice, NewFlow("u/bob/g"));
        using var update = await alice.PostAsync(FlowRequests.Flows + "/update/u/bob/f", Wire.JsonBody(NewFlow("u/bob/f")));
        using var archive = await alice.PostAsync(FlowRequests.Flows + "/archive/u/bob/f", Wire.JsonBody("{}"));
        using var delete = await alice.DeleteAsync(FlowRequests.Flows + "/delete/u/bob/f");

        await Wire.AssertAsync(own, HttpStatusCode.Created, Wire.Text, "u/alice/f");
        await Wire.AssertAsync(folder, HttpStatusCode.Created, Wire.Text, "f/team/f");
        foreach (var refused in new[] { others, update, archive, delete })
        {
            await Wire.AssertAsync(refused, HttpStatusCode.Forbidden, Wire.Text, "Permission denied: only the owner bob is authorized to perform this operation");
        }

        Assert.Equal(["f/team/f", "u/alice/f", "u/bob/f"], await ListedPathsAsync(host.Client));
        Assert.Equal(1, (await GetAsync(host.Client, "u/bob/f")).GetProperty("version_id").GetInt32());
    }

    [Fact]
    public async Task Scoped_tokens_write_and_read_only_the_flows_their_scopes_name()
    {
        await using var host = await StoredScriptHost.StartAsync();
        await CreateAsync(host.Client, "f/team/a");
        await CreateAsync(host.Client, "f/other/b");
        using var writer = await host.CreateClientWithTokenAsync(new NewTokenRequest { Owner = "alice", Scopes = ["flows:write:f/team/*"] });
        using var runner = await host.CreateClientWithTokenAsync(new NewTokenRequest { Owner = "alice", Scopes = ["jobs:run:flows:f/team/a"] });
        using var readOnly = await host.CreateClientWithTokenAsync(new NewTokenRequest { Owner = "admin", ReadOnly = true });

        using var written = await PostCreateAsync(writer, NewFlow("f/team/c"));
        using var elsewhere = await PostCreateAsync(writer, NewFlow("f/other/c"));
        using var readOwn = await writer.GetAsync(FlowRequests.Flows + "/get/f/team/a");
        using var readOther = await writer.GetAsync(FlowRequests.Flows + "/get/f/other/b");
        var listed = await ListedPathsAsync(writer);
        using var runnerWrites = await PostCreateAsync(runner, NewFlow("f/team/d"));
        using var runnerReads = await runner.GetAsync(FlowRequests.Flows + "/get/f/team/a");
        using var readOnlyWrites = await readOnly.DeleteAsync(FlowRequests.Flows + "/delete/f/team/a");

        await Wire.AssertAsync(written, HttpStatusCode.Created, Wire.Text, "f/team/c");
        await Wire.AssertAsync(elsewhere, HttpStatusCode.Forbidden, Wire.Text, "Permission denied: Required scope: flows:write:f/other/c");
        Assert.Equal(HttpStatusCode.OK, readOwn.StatusCode);
        await Wire.AssertAsync(readOther, HttpStatusCode.Forbidden, Wire.Text, "Permission denied: Required scope: flows:read:f/other/b");
        Assert.Equal(["f/team/a", "f/team/c"], listed);
        await Wire.AssertAsync(runnerWrites, HttpStatusCode.Forbidden, Wire.Text, "Permission denied: Required scope: flows:write:f/team/d");
        await Wire.AssertAsync(runnerReads, HttpStatusCode.Forbidden, Wire.Text, "Permission denied: Required scope: flows:read:f/team/a");
        await Wire.AssertAsync(readOnlyWrites, HttpStatusCode.Forbidden, Wire.Text,
            "Permission denied: Token is read-only. Mutating endpoints are not allowed.");
        Assert.Equal(["f/other/b", "f/team/a", "f/team/c"], await ListedPathsAsync(host.Client));
    }

    [Fact]
    public async Task Every_flows_route_needs_a_token()
    {
        await using var host = await StoredScriptHost.StartAsync();
        using var anonymous = host.CreateAnonymousClient();

        using var create = await PostCreateAsync(anonymous, NewFlow("u/admin/f"));
        using var read = await anonymous.GetAsync(FlowRequests.Flows + "/get/u/admin/f");
        using var list = await anonymous.GetAsync(FlowRequests.Flows + "/list");
        using var delete = await anonymous.DeleteAsync(FlowRequests.Flows + "/delete/u/admin/f");

        foreach (var response in new[] { create, read, list, delete })
        {
            await Wire.AssertUnauthorizedAsync(response);
        }
    }

    [Fact]
    public async Task List_tokens_names_the_tokens_that_may_run_the_flow_and_not_those_for_a_script_at_the_same_path()
    {
        await using var host = await StoredScriptHost.StartAsync();
        await CreateAsync(host.Client, "f/team/a");
        var tokens = host.Services.GetRequiredService<TokenService>();
        var (_, forFlow) = await tokens.CreateAsync(new NewTokenRequest
        {
            Owner = "admin", Label = "webhook-admin-ab12", WorkspaceId = "demo", Scopes = [TokenScopes.RunFlow("f/team/a")],
        }, CancellationToken.None);
        await tokens.CreateAsync(new NewTokenRequest { Owner = "admin", Label = "script", Scopes = [TokenScopes.RunScript("f/team/a")] }, CancellationToken.None);

        using var listed = JsonDocument.Parse(await host.Client.GetStringAsync(FlowRequests.Flows + "/list_tokens/f/team/a"));

        var token = Assert.Single(listed.RootElement.EnumerateArray());
        Assert.Equal(("webhook-admin-ab12", forFlow.Prefix, "jobs:run:flows:f/team/a"),
            (token.GetProperty("label").GetString(), token.GetProperty("token_prefix").GetString(), token.GetProperty("scopes")[0].GetString()));
    }
}
