using System.Globalization;
using System.Text.Json;

namespace Windmill.Webhooks.ClientCompatibility.Tests;

/// <summary>
/// The token and audit calls of <c>windmill-client</c> 1.818.0 against the running sample:
/// <c>UserService.createToken</c>, <c>listTokens</c>, <c>updateTokenLabel</c>, <c>updateTokenScopes</c>,
/// <c>deleteToken</c>, <c>ScriptService.listTokensOfScript</c>, <c>AuditService.listAuditLogs</c> and
/// <c>getAuditLog</c>, and a webhook-specific token driving the helpers through <c>setClient</c>.
/// </summary>
[Collection(RunningSample.Name)]
public sealed class ClientTokenAndAuditTests(CompatibilityFixture fixture)
{
    private const string Workspace = "demo";
    private const string TokenPattern = "^[A-Za-z0-9]{32}$";

    [Fact]
    public async Task CreateToken_listTokens_update_and_deleteToken()
    {
        var label = "compat-" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture)[..8];
        var expiration = DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        var token = (await fixture.CallAsync("UserService.createToken", new
        {
            requestBody = new { label, scopes = new[] { "scripts:read" }, workspace_id = Workspace, expiration },
        })).Text();
        var prefix = token[..10];
        var listed = await ListedTokenAsync(prefix, token);

        Assert.Matches(TokenPattern, token);
        Assert.Equal((label, """["scripts:read"]""", Workspace, false), (listed.GetProperty("label").GetString(), listed.GetProperty("scopes").GetRawText(),
            listed.GetProperty("workspace_id").GetString(), listed.GetProperty("read_only").GetBoolean()));
        Assert.Equal(DateTimeOffset.Parse(expiration, CultureInfo.InvariantCulture), listed.GetProperty("expiration").GetDateTimeOffset());
        Assert.False(listed.TryGetProperty("token", out _));

        var relabeled = label + "-renamed";
        var labelUpdate = await fixture.CallAsync("UserService.updateTokenLabel", new { tokenPrefix = prefix, requestBody = new { label = relabeled } });
        var scopesUpdate = await fixture.CallAsync("UserService.updateTokenScopes", new
        {
            tokenPrefix = prefix, requestBody = new { scopes = new[] { "scripts:read", "jobs:read" } },
        });
        var updated = await ListedTokenAsync(prefix, token);

        Assert.True(labelUpdate.Ok, $"updateTokenLabel failed: {labelUpdate.Status} {labelUpdate.Body} {labelUpdate.Message}");
        Assert.True(scopesUpdate.Ok, $"updateTokenScopes failed: {scopesUpdate.Status} {scopesUpdate.Body} {scopesUpdate.Message}");
        Assert.Equal((relabeled, """["scripts:read","jobs:read"]"""), (updated.GetProperty("label").GetString(), updated.GetProperty("scopes").GetRawText()));

        var before = await fixture.Client.CallAsync(fixture.Origin, token, "ScriptService.getScriptByPath", new { workspace = Workspace, path = "u/bot/hello_world" });
        var deleted = await fixture.CallAsync("UserService.deleteToken", new { tokenPrefix = prefix });
        var after = await fixture.Client.CallAsync(fixture.Origin, token, "ScriptService.getScriptByPath", new { workspace = Workspace, path = "u/bot/hello_world" });
        var remaining = JsonDocument.Parse((await fixture.CallAsync("UserService.listTokens", new { perPage = 10000 })).Json()).RootElement;

        Assert.True(before.Ok, $"the token was refused before its deletion: {before.Status} {before.Body} {before.Message}");
        Assert.Equal($"deleted 1 tokens [\"{prefix}*****\"] with prefix {prefix}", deleted.Text());
        Assert.Equal((false, 401, "\"Not authorized: Unauthorized\""), (after.Ok, after.Status, after.Body?.GetRawText()));
        Assert.DoesNotContain(remaining.EnumerateArray(), t => t.GetProperty("token_prefix").GetString() == prefix);
    }

    [Fact]
    public async Task A_webhook_specific_token_runs_its_script_only_and_is_listed_for_it()
    {
        var label = "webhook-admin-" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture)[..4];
        var token = (await fixture.CallAsync("UserService.createToken", new
        {
            requestBody = new { label, workspace_id = Workspace, scopes = new[] { "jobs:run:scripts:u/bot/hello_world" } },
        })).Text();
        var prefix = token[..10];

        try
        {
            var result = await CallAsAsync(token, "runScriptByPath", "u/bot/hello_world", new { name = "Hook" });
            var refused = await CallAsAsync(token, "JobService.runScriptByPath", new { workspace = Workspace, path = "u/bot/echo", requestBody = new { } });
            var id = (await CallAsAsync(token, "JobService.runScriptByPath", new { workspace = Workspace, path = "u/bot/hello_world", requestBody = new { } })).Text();
            await CallAsAsync(token, "waitJob", id);
            var job = JsonDocument.Parse((await fixture.CallAsync("JobService.getJob", new { workspace = Workspace, id })).Json()).RootElement;
            var ofScript = JsonDocument.Parse((await fixture.CallAsync("ScriptService.listTokensOfScript", new { workspace = Workspace, path = "u/bot/hello_world" })).Json())
                .RootElement;

            Assert.Matches(TokenPattern, token);
            Assert.Equal("\"Hello, Hook!\"", result.Json());
            Assert.Equal((false, 403, "\"Permission denied: Required scope: jobs:run:scripts:u/bot/echo\""), (refused.Ok, refused.Status, refused.Body?.GetRawText()));
            Assert.Equal((label, "u/admin", "u/bot/hello_world", true), (job.GetProperty("created_by").GetString(), job.GetProperty("permissioned_as").GetString(),
                job.GetProperty("script_path").GetString(), job.GetProperty("success").GetBoolean()));
            var listed = Assert.Single(ofScript.EnumerateArray(), t => t.GetProperty("token_prefix").GetString() == prefix);
            Assert.Equal((label, """["jobs:run:scripts:u/bot/hello_world"]""", Workspace), (listed.GetProperty("label").GetString(),
                listed.GetProperty("scopes").GetRawText(), listed.GetProperty("workspace_id").GetString()));
            Assert.DoesNotContain(token, ofScript.GetRawText(), StringComparison.Ordinal);
        }
        finally
        {
            await fixture.CallAsync("UserService.deleteToken", new { tokenPrefix = prefix });
        }
    }

    [Fact]
    public async Task ListAuditLogs_and_getAuditLog_show_the_run()
    {
        var hash = JsonDocument.Parse((await fixture.CallAsync("ScriptService.getScriptByPath", new { workspace = Workspace, path = "u/bot/hello_world" })).Json())
            .RootElement.GetProperty("hash").GetString();
        var id = (await fixture.CallAsync("JobService.runScriptByPath", new { workspace = Workspace, path = "u/bot/hello_world", requestBody = new { } })).Text();

        var entries = JsonDocument.Parse((await fixture.CallAsync("AuditService.listAuditLogs", new { workspace = Workspace, operation = "jobs.run.script", perPage = 5 }))
            .Json()).RootElement.EnumerateArray().ToArray();
        var entry = Assert.Single(entries, e => e.GetProperty("parameters").GetProperty("uuid").GetString() == id);
        var got = await fixture.CallAsync("AuditService.getAuditLog", new { workspace = Workspace, id = entry.GetProperty("id").GetInt64() });

        Assert.InRange(entries.Length, 1, 5);
        Assert.All(entries, e => Assert.Equal(("jobs.run.script", "Execute", Workspace), (e.GetProperty("operation").GetString(),
            e.GetProperty("action_kind").GetString(), e.GetProperty("workspace_id").GetString())));
        Assert.Equal(("admin", "u/bot/hello_world"), (entry.GetProperty("username").GetString(), entry.GetProperty("resource").GetString()));
        Assert.Equal(("u/admin", hash), (entry.GetProperty("parameters").GetProperty("permissioned_as").GetString(),
            entry.GetProperty("parameters").GetProperty("hash").GetString()));
        Assert.Equal(entry.GetRawText(), got.Json());
        await fixture.CallAsync("waitJob", id);
    }

    private Task<ClientOutcome> CallAsAsync(string token, string function, params object?[] arguments) =>
        fixture.Client.CallAsync(fixture.Origin, token, function, arguments);

    /// <summary>The admin's token with <paramref name="prefix"/> in <c>listTokens</c>, checking that no secret is listed.</summary>
    private async Task<JsonElement> ListedTokenAsync(string prefix, string token)
    {
        var list = JsonDocument.Parse((await fixture.CallAsync("UserService.listTokens", new { perPage = 10000 })).Json()).RootElement;
        Assert.DoesNotContain(token, list.GetRawText(), StringComparison.Ordinal);
        return Assert.Single(list.EnumerateArray(), t => t.GetProperty("token_prefix").GetString() == prefix);
    }
}
