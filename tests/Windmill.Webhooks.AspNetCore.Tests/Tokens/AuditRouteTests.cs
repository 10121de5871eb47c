using System.Net;
using System.Text.Json;

namespace Windmill.Webhooks.AspNetCore.Tests.Tokens;

/// <summary>Windmill's audit routes (docs/wire-format.md §7) on the wire.</summary>
public sealed class AuditRouteTests : IAsyncLifetime
{
    private const string Admin = TokenApiHost.AdminToken;
    private TokenApiHost _host = null!;

    private HttpClient Client => _host.Client;

    public async ValueTask InitializeAsync() => _host = await TokenApiHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_webhook_trigger_is_listed_with_windmills_fields()
    {
        var alice = await _host.MintAsync("alice");
        var jobId = (await Client.SendAsync(HttpMethod.Post, "/api/w/demo/jobs/run/p/u/alice/hello", alice, "{}")).Body;
        var hash = JsonDocument.Parse((await Client.SendAsync(HttpMethod.Get, "/api/w/demo/scripts/get/p/u/alice/hello", Admin)).Body)
            .RootElement.GetProperty("hash").GetString();

        var listed = await Client.SendAsync(HttpMethod.Get, "/api/w/demo/audit/list?operation=jobs.run.script", Admin);

        Assert.Equal((HttpStatusCode.OK, "application/json"), (listed.Status, listed.ContentType));
        var entry = Assert.Single(JsonDocument.Parse(listed.Body).RootElement.EnumerateArray());
        var id = entry.GetProperty("id").GetInt64();
        Assert.Equal(
            $$$"""{"workspace_id":"demo","id":{{{id}}},"timestamp":"2026-11-27T12:00:00.000000Z","username":"alice","operation":"jobs.run.script","action_kind":"Execute","resource":"u/alice/hello","parameters":{"uuid":"{{{jobId}}}","permissioned_as":"u/alice","hash":"{{{hash}}}"}}""",
            entry.GetRawText());
        var one = await Client.SendAsync(HttpMethod.Get, $"/api/w/demo/audit/get/{id}", Admin);
        Assert.Equal(entry.GetRawText(), one.Body);
    }

    [Theory]
    [InlineData("cancel", "jobs.cancel")]
    [InlineData("force_cancel", "jobs.force_cancel")]
    public async Task A_cancel_is_listed_with_windmills_fields(string route, string operation)
    {
        var bob = await _host.MintAsync("bob");
        var jobId = (await Client.SendAsync(HttpMethod.Post, "/api/w/demo/jobs/run/p/u/alice/block", bob, "{}")).Body;
        _host.Time.Advance(TimeSpan.FromMinutes(1));

        var canceled = await Client.SendAsync(HttpMethod.Post, $"/api/w/demo/jobs_u/queue/{route}/{jobId}", bob, """{"reason":"not needed"}""");
        var listed = await Client.SendAsync(HttpMethod.Get, "/api/w/demo/audit/list?action_kind=Delete", Admin);

        Assert.Equal((HttpStatusCode.OK, jobId), (canceled.Status, canceled.Body));
        var entry = Assert.Single(JsonDocument.Parse(listed.Body).RootElement.EnumerateArray());
        Assert.Equal(
            $$$"""{"workspace_id":"demo","id":{{{entry.GetProperty("id").GetInt64()}}},"timestamp":"2026-11-27T12:01:00.000000Z","username":"bob","operation":"{{{operation}}}","action_kind":"Delete","resource":"{{{jobId}}}","parameters":{"reason":"not needed"}}""",
            entry.GetRawText());
    }

    [Fact]
    public async Task Every_filter_of_windmills_list_works()
    {
        var alice = await _host.MintAsync("alice");
        var bob = await _host.MintAsync("bob");
        await Client.SendAsync(HttpMethod.Post, "/api/w/demo/jobs/run/p/u/alice/hello", alice, "{}");
        _host.Time.Advance(TimeSpan.FromMinutes(1));
        var bobsJob = (await Client.SendAsync(HttpMethod.Post, "/api/w/demo/jobs/run/p/u/alice/block", bob, "{}")).Body;
        await Client.SendAsync(HttpMethod.Post, $"/api/w/demo/jobs_u/queue/cancel/{bobsJob}", bob, """{"reason":"test"}""");
        _host.Time.Advance(TimeSpan.FromMinutes(1));
        await Client.SendAsync(HttpMethod.Post, "/api/w/demo/jobs/run/p/u/alice/other", alice, "{}");

        async Task<string[]> Ops(string query)
        {
            var answer = await Client.SendAsync(HttpMethod.Get, "/api/w/demo/audit/list?" + query, Admin);
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            return JsonDocument.Parse(answer.Body).RootElement.EnumerateArray()
                .Select(e => $"{e.GetProperty("username").GetString()} {e.GetProperty("operation").GetString()} {e.GetProperty("resource").GetString()}")
                .ToArray();
        }

        var jobEntries = await Ops("operation=jobs.");
        Assert.Equal(4, jobEntries.Length);
        Assert.Equal(["alice jobs.run.script u/alice/other", "alice jobs.run.script u/alice/hello"], await Ops("username=alice"));
        Assert.Equal(["bob jobs.cancel " + bobsJob], await Ops("action_kind=Delete"));
        Assert.Equal(["bob jobs.cancel " + bobsJob], await Ops("operations=jobs.cancel,users.token.create"));
        Assert.DoesNotContain(await Ops("exclude_operations=jobs.run.script"), e => e.Contains("jobs.run.script", StringComparison.Ordinal));
        Assert.Equal(["alice jobs.run.script u/alice/other"], await Ops("resource=u/alice/other&operation=jobs"));
        Assert.Equal(["bob jobs.run.script u/alice/block"], await Ops("resource=u/alice/b&action_kind=Execute"));
        Assert.Equal(["alice jobs.run.script u/alice/hello"], await Ops("operation=jobs.run&before=2026-11-27T12:00:30Z"));
        Assert.Equal(["alice jobs.run.script u/alice/other"], await Ops("operation=jobs.run&after=2026-11-27T12:01:30Z"));
        Assert.Equal(jobEntries[2..4], await Ops("operation=jobs.&per_page=2&page=2"));
        var newest = JsonDocument.Parse((await Client.SendAsync(HttpMethod.Get, "/api/w/demo/audit/list?operation=jobs.&per_page=1", Admin)).Body)
            .RootElement[0].GetProperty("id").GetInt64();
        Assert.Equal(jobEntries[1..], await Ops($"operation=jobs.&before_id={newest}"));
    }

    [Theory]
    [InlineData("before=yesterday")]
    [InlineData("action_kind=Explode")]
    [InlineData("page=two")]
    [InlineData("before_id=-1")]
    public async Task Malformed_filters_get_400(string query)
    {
        var answer = await Client.SendAsync(HttpMethod.Get, "/api/w/demo/audit/list?" + query, Admin);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.StartsWith("Bad request: invalid audit filter", answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_admins_read_the_audit_log()
    {
        var alice = await _host.MintAsync("alice");
        var ops = await _host.MintAsync("ops");

        var refused = await Client.SendAsync(HttpMethod.Get, "/api/w/demo/audit/list", alice);
        var allowed = await Client.SendAsync(HttpMethod.Get, "/api/w/demo/audit/list", ops);
        var missing = await Client.SendAsync(HttpMethod.Get, "/api/w/demo/audit/get/999999", ops);
        var malformed = await Client.SendAsync(HttpMethod.Get, "/api/w/demo/audit/get/abc", ops);

        Assert.Equal((HttpStatusCode.Forbidden, "text/plain; charset=utf-8", "Require Admin privileges for audit logs"), refused);
        Assert.Equal(HttpStatusCode.OK, allowed.Status);
        Assert.Equal((HttpStatusCode.NotFound, "text/plain; charset=utf-8", "Not found: Audit log 999999 not found"), missing);
        Assert.Equal((HttpStatusCode.BadRequest, "text/plain; charset=utf-8", "Bad request: invalid audit log id: abc"), malformed);
    }

    [Fact]
    public async Task Token_operations_are_audited_in_the_global_workspace_without_secrets()
    {
        var alice = await _host.MintAsync("alice");
        var token = (await Client.SendAsync(HttpMethod.Post, "/api/users/tokens/create", alice, """{"label":"ci"}""")).Body;
        await Client.SendAsync(HttpMethod.Post, $"/api/users/tokens/update_label/{token[..10]}", alice, """{"label":"ci2"}""");
        await Client.SendAsync(HttpMethod.Post, $"/api/users/tokens/update_scopes/{token[..10]}", alice, """{"scopes":["jobs:read"]}""");
        await Client.SendAsync(HttpMethod.Delete, $"/api/users/tokens/delete/{token[..10]}", alice);

        var listed = await Client.SendAsync(HttpMethod.Get, "/api/w/global/audit/list", Admin);

        var operations = JsonDocument.Parse(listed.Body).RootElement.EnumerateArray()
            .Select(e => (e.GetProperty("operation").GetString(), e.GetProperty("resource").GetString())).ToArray();
        Assert.Equal(
            [("users.token.delete", token[..10]), ("users.token.update_scopes", token[..10]), ("users.token.update_label", token[..10]), ("users.token.create", token[..10])],
            operations);
        Assert.DoesNotContain(token, listed.Body, StringComparison.Ordinal);
    }
}
