using System.Net;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.Tokens;
using static Windmill.Webhooks.AspNetCore.Tests.Scripts.ScriptRequests;

namespace Windmill.Webhooks.AspNetCore.Tests.Scripts;

/// <summary><c>POST scripts/create</c> (windmill-api.md §5): Windmill's answers, its linear lineage, and every input it refuses.</summary>
public sealed class StoredScriptRouteTests
{
    private const string Compiled = """{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{},"required":[]}""";

    [Fact]
    public async Task Create_answers_201_with_the_hash_and_the_script_reads_back_by_path_and_hash_in_windmills_json()
    {
        await using var host = await StoredScriptHost.StartAsync();

        var hash = await CreateAsync(host.Client, NewScript("u/admin/greet", "main = \"hi\"", summary: "Greets"));
        using var byPath = await host.Client.GetAsync(ScriptRoutes + "/get/p/u/admin/greet");
        using var byHash = await host.Client.GetAsync($"{ScriptRoutes}/get/h/{hash}");

        var json = $$"""{"workspace_id":"demo","hash":"{{hash}}","path":"u/admin/greet","parent_hashes":[],"summary":"Greets","description":"","content":"main = \"hi\"","created_by":"admin","created_at":"2025-01-31T10:00:00.000000Z","archived":false,"schema":{{Compiled}},"deleted":false,"is_template":false,"extra_perms":{},"language":"test-lang","kind":"script","starred":false,"has_preprocessor":false}""";
        await Wire.AssertAsync(byPath, HttpStatusCode.OK, Wire.Json, json);
        await Wire.AssertAsync(byHash, HttpStatusCode.OK, Wire.Json, json);
    }

    [Fact]
    public async Task A_sent_schema_wins_over_the_compiled_one()
    {
        await using var host = await StoredScriptHost.StartAsync();
        const string schema = """{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}""";

        await CreateAsync(host.Client, NewScript("u/admin/greet", "main = 1", extra: $"\"schema\":{schema}"));
        using var script = System.Text.Json.JsonDocument.Parse(await host.Client.GetStringAsync(ScriptRoutes + "/get/p/u/admin/greet"));

        Assert.Equal(schema, script.RootElement.GetProperty("schema").GetRawText());
    }

    [Fact]
    public async Task Overwriting_with_the_current_parent_adds_a_version_and_archives_the_parent()
    {
        await using var host = await StoredScriptHost.StartAsync();
        var first = await CreateAsync(host.Client, NewScript("u/admin/s", "main = 1"));
        host.Time.Advance(TimeSpan.FromMinutes(1));

        var second = await CreateAsync(host.Client, NewScript("u/admin/s", "main = 2", parent: first));
        using var latest = System.Text.Json.JsonDocument.Parse(await host.Client.GetStringAsync(ScriptRoutes + "/get/p/u/admin/s"));
        using var old = System.Text.Json.JsonDocument.Parse(await host.Client.GetStringAsync($"{ScriptRoutes}/get/h/{first}"));
        using var history = await host.Client.GetAsync(ScriptRoutes + "/history/p/u/admin/s");

        Assert.Equal((second, $"[\"{first}\"]", "main = 2"), (latest.RootElement.GetProperty("hash").GetString(),
            latest.RootElement.GetProperty("parent_hashes").GetRawText(), latest.RootElement.GetProperty("content").GetString()));
        Assert.Equal((true, "main = 1"), (old.RootElement.GetProperty("archived").GetBoolean(), old.RootElement.GetProperty("content").GetString()));
        await Wire.AssertAsync(history, HttpStatusCode.OK, Wire.Json,
            $$"""[{"script_hash":"{{second}}","created_at":"2025-01-31T10:01:00.000000Z","created_by":"admin"},{"script_hash":"{{first}}","created_at":"2025-01-31T10:00:00.000000Z","created_by":"admin"}]""");
        Assert.Equal([("scripts.update", "u/admin/s", $"hash={second}"), ("scripts.create", "u/admin/s", $"workspace=demo,hash={first}")],
            (await host.AuditAsync("scripts.")).Where(e => e.Username == "admin")
                .Select(e => (e.Operation, e.Resource, string.Join(',', e.Parameters!.Select(p => $"{p.Key}={p.Value}")))));
    }

    [Fact]
    public async Task Lineage_is_linear_a_missing_stale_or_unknown_parent_gets_windmills_400_and_stores_nothing()
    {
        await using var host = await StoredScriptHost.StartAsync();
        var first = await CreateAsync(host.Client, NewScript("u/admin/s", "main = 1"));
        var second = await CreateAsync(host.Client, NewScript("u/admin/s", "main = 2", parent: first));

        using var missing = await PostCreateAsync(host.Client, NewScript("u/admin/s", "main = 3"));
        using var stale = await PostCreateAsync(host.Client, NewScript("u/admin/s", "main = 3", parent: first));
        using var unknown = await PostCreateAsync(host.Client, NewScript("u/admin/s", "main = 3", parent: "0123456789abcdef"));

        await Wire.AssertAsync(missing, HttpStatusCode.BadRequest, Wire.Text, $"Bad request: Path conflict for u/admin/s with non-archived hash {second}");
        await Wire.AssertAsync(stale, HttpStatusCode.BadRequest, Wire.Text,
            $"Bad request: A script with hash {second} with same parent_hash has been found. However, the lineage must be linear: no 2 scripts can have the same parent");
        await Wire.AssertAsync(unknown, HttpStatusCode.BadRequest, Wire.Text, "Bad request: The parent hash does not seem to exist");
        Assert.Equal([second, first], await HistoryAsync(host.Client, "u/admin/s"));
    }

    [Fact]
    public async Task Saving_identical_content_again_adds_no_version_and_answers_the_existing_hash()
    {
        await using var host = await StoredScriptHost.StartAsync();
        var first = await CreateAsync(host.Client, NewScript("u/admin/s", "main = 1", summary: "One"));

        var again = await CreateAsync(host.Client, NewScript("u/admin/s", "main = 1", summary: "One"));
        var withParent = await CreateAsync(host.Client, NewScript("u/admin/s", "main = 1", parent: first, summary: "One"));
        var newSummary = await CreateAsync(host.Client, NewScript("u/admin/s", "main = 1", parent: first, summary: "Uno"));

        Assert.Equal((first, first), (again, withParent));
        Assert.NotEqual(first, newSummary);
        Assert.Equal([newSummary, first], await HistoryAsync(host.Client, "u/admin/s"));
        Assert.Equal(2, (await host.AuditAsync("scripts.")).Count(e => e.Username == "admin"));
    }

    [Theory]
    [InlineData("u/admin/s", "main = 1\noops", "test-lang", null, "Bad request: SyntaxError: Unexpected token (line 2, column 1)")]
    [InlineData("u/admin/s", "// one\nmain = {\"a\":}", "test-lang", null, "Bad request: SyntaxError: Unexpected token (line 2, column 13)")]
    [InlineData("u/admin/s", "main = 1", "cobol", null, "Bad request: language cobol cannot be stored here: no script compiler takes it")]
    [InlineData("u/admin/s", "// no main here", "test-lang", null, "Bad request: main is not defined: the script must export a function main")]
    [InlineData("bot/s", "main = 1", "test-lang", null, "Bad request: invalid script path: bot/s: expected u/<user>/<name> or f/<folder>/<name>")]
    [InlineData("u/admin", "main = 1", "test-lang", null, "Bad request: invalid script path: u/admin: expected u/<user>/<name> or f/<folder>/<name>")]
    [InlineData("u/code/hello", "main = 1", "test-lang", null, "Bad request: Path conflict for u/code/hello: the host registers a script at this path in its code")]
    [InlineData("u/admin/s", "main = 1", "test-lang", "\"timeout\":0", "Bad request: timeout must be a positive number of seconds")]
    [InlineData("u/admin/s", "main = 1", "test-lang", "\"schema\":\"no\"", "Bad request: invalid schema: expected a JSON object")]
    public async Task Bad_input_gets_400_in_windmills_text_and_stores_nothing(string path, string content, string language, string? extra, string error)
    {
        await using var host = await StoredScriptHost.StartAsync();

        using var response = await PostCreateAsync(host.Client, NewScript(path, content, language: language, extra: extra));

        await Wire.AssertAsync(response, HttpStatusCode.BadRequest, Wire.Text, error);
        await AssertNothingStoredAsync(host);
    }

    [Theory]
    [InlineData("""{"path":"u/admin/s","language":"test-lang"}""", "Bad request: invalid json: missing field `content`")]
    [InlineData("""{"content":"main = 1","language":"test-lang"}""", "Bad request: invalid json: missing field `path`")]
    [InlineData("""{"path":"u/admin/s","content":"main = 1"}""", "Bad request: invalid json: missing field `language`")]
    [InlineData("""{"path":"u/admin/s","content":"main = 1","language":"test-lang","parent_hash":"xyz"}""", "Bad request: invalid parent_hash: xyz: expected 16 hex characters")]
    public async Task A_body_without_what_windmill_requires_gets_400_and_stores_nothing(string body, string error)
    {
        await using var host = await StoredScriptHost.StartAsync();

        using var response = await PostCreateAsync(host.Client, body);

        await Wire.AssertAsync(response, HttpStatusCode.BadRequest, Wire.Text, error);
        await AssertNothingStoredAsync(host);
    }

    [Fact]
    public async Task Content_over_the_documented_size_gets_400_and_a_body_past_the_routes_cap_413()
    {
        await using var host = await StoredScriptHost.StartAsync();
        var justOver = "main = 1\n//" + new string('x', StoredScriptHost.MaxContent - 10);

        using var atLimit = await PostCreateAsync(host.Client, NewScript("u/admin/s", justOver[..^1]));
        using var over = await PostCreateAsync(host.Client, NewScript("u/admin/t", justOver));
        using var huge = await PostCreateAsync(host.Client, NewScript("u/admin/t", new string('x', 80 * 1024)));

        Assert.Equal(HttpStatusCode.Created, atLimit.StatusCode);
        await Wire.AssertAsync(over, HttpStatusCode.BadRequest, Wire.Text,
            $"Bad request: the script's content is {StoredScriptHost.MaxContent + 1} bytes, more than the {StoredScriptHost.MaxContent} this server accepts");
        await Wire.AssertAsync(huge, (HttpStatusCode)413, Wire.Text, $"Payload too large: the body exceeds {64 * 1024 + 2 * StoredScriptHost.MaxContent} bytes");
        Assert.Equal(["u/admin/s", StoredScriptHost.CodePath], await ListedPathsAsync(host.Client));
    }

    [Fact]
    public async Task A_token_scoped_to_running_jobs_may_not_create_archive_or_delete()
    {
        await using var host = await StoredScriptHost.StartAsync();
        var hash = await CreateAsync(host.Client, NewScript("u/alice/s", "main = 1"));
        using var runner = await host.CreateClientWithTokenAsync(new NewTokenRequest { Owner = "alice", Scopes = ["jobs:run:scripts:u/alice/s"] });

        using var create = await PostCreateAsync(runner, NewScript("u/alice/s", "main = 2", parent: hash));
        using var archive = await runner.PostAsync(ScriptRoutes + "/archive/p/u/alice/s", null);
        using var archiveHash = await runner.PostAsync($"{ScriptRoutes}/archive/h/{hash}", null);
        using var delete = await runner.PostAsync(ScriptRoutes + "/delete/p/u/alice/s", null);

        foreach (var response in new[] { create, archive, archiveHash, delete })
        {
            await Wire.AssertAsync(response, HttpStatusCode.Forbidden, Wire.Text, "Permission denied: Required scope: scripts:write:u/alice/s");
        }

        Assert.Equal([hash], await HistoryAsync(host.Client, "u/alice/s"));
        Assert.Equal("1", await RunAsync(host.Client, "p/u/alice/s"));
    }

    [Fact]
    public async Task A_user_writes_scripts_under_their_own_path_and_folders_but_not_under_anothers()
    {
        await using var host = await StoredScriptHost.StartAsync();
        using var alice = await host.CreateClientWithTokenAsync(new NewTokenRequest { Owner = "alice" });
        using var writer = await host.CreateClientWithTokenAsync(new NewTokenRequest { Owner = "alice", Scopes = ["scripts:write:u/alice/*"] });

        var own = await CreateAsync(alice, NewScript("u/alice/s", "main = 1"));
        var folder = await CreateAsync(alice, NewScript("f/team/s", "main = 1"));
        var scoped = await CreateAsync(writer, NewScript("u/alice/t", "main = 1"));
        using var others = await PostCreateAsync(alice, NewScript("u/bob/s", "main = 1"));
        using var outOfScope = await PostCreateAsync(writer, NewScript("f/team/t", "main = 1"));

        await Wire.AssertAsync(others, HttpStatusCode.Forbidden, Wire.Text, "Permission denied: only the owner bob is authorized to perform this operation");
        await Wire.AssertAsync(outOfScope, HttpStatusCode.Forbidden, Wire.Text, "Permission denied: Required scope: scripts:write:f/team/t");
        Assert.Equal(["f/team/s", "u/alice/s", "u/alice/t", StoredScriptHost.CodePath], await ListedPathsAsync(host.Client));
        Assert.Equal(3, new[] { own, folder, scoped }.Distinct().Count());
        Assert.Equal(["alice", "alice", "alice"], (await host.AuditAsync("scripts.create")).Where(e => e.Username != "system").Select(e => e.Username));
    }

    private static async Task AssertNothingStoredAsync(StoredScriptHost host)
    {
        Assert.Equal([StoredScriptHost.CodePath], await ListedPathsAsync(host.Client));
        Assert.Empty(await ListedPathsAsync(host.Client, "?show_archived=true"));
        Assert.Equal(["system"], (await host.AuditAsync("scripts.")).Select(e => e.Username));
    }
}
