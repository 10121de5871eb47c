using System.Net;
using System.Text.Json;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using static Windmill.Webhooks.AspNetCore.Tests.Scripts.ScriptRequests;

namespace Windmill.Webhooks.AspNetCore.Tests.Scripts;

/// <summary>
/// A stored script's life (windmill-api.md §5): <c>/p/</c> runs the head, <c>/h/&lt;hash&gt;</c> runs exactly its version after
/// overwrites, archives and restarts, a deleted script's hash is gone; and the read routes that follow it.
/// </summary>
public sealed class StoredScriptLifecycleTests
{
    [Fact]
    public async Task An_old_hash_runs_its_old_content_after_overwrites_and_after_a_restart()
    {
        await using var host = await StoredScriptHost.StartAsync();
        var first = await CreateAsync(host.Client, NewScript("u/admin/s", "main = 1"));
        var second = await CreateAsync(host.Client, NewScript("u/admin/s", "main = 2", parent: first));
        var third = await CreateAsync(host.Client, NewScript("u/admin/s", "main = 3", parent: second));

        Assert.Equal(("3", "1", "2"), (await RunAsync(host.Client, "p/u/admin/s"), await RunAsync(host.Client, $"h/{first}"), await RunAsync(host.Client, $"h/{second}")));

        await host.RestartAsync();

        Assert.Equal(("3", "1", "3"), (await RunAsync(host.Client, "p/u/admin/s"), await RunAsync(host.Client, $"h/{first}"), await RunAsync(host.Client, $"h/{third}")));
        Assert.Equal([third, second, first], await HistoryAsync(host.Client, "u/admin/s"));
    }

    [Fact]
    public async Task Archiving_a_path_stops_its_path_routes_while_every_hash_still_runs()
    {
        await using var host = await StoredScriptHost.StartAsync();
        var first = await CreateAsync(host.Client, NewScript("u/admin/s", "main = 1"));
        var second = await CreateAsync(host.Client, NewScript("u/admin/s", "main = 2", parent: first));

        using var archive = await host.Client.PostAsync(ScriptRoutes + "/archive/p/u/admin/s", null);
        using var byPath = await host.Client.GetAsync(ScriptRoutes + "/get/p/u/admin/s");
        using var exists = await host.Client.GetAsync(ScriptRoutes + "/exists/p/u/admin/s");
        using var run = await host.Client.PostAsync(StoredScriptHost.Api + "/jobs/run_wait_result/p/u/admin/s", Wire.JsonBody("{}"));

        await Wire.AssertAsync(archive, HttpStatusCode.OK, null, "");
        await Wire.AssertAsync(byPath, HttpStatusCode.NotFound, Wire.Text, "Not found: Script not found at name u/admin/s");
        await Wire.AssertAsync(exists, HttpStatusCode.OK, Wire.Json, "false");
        await Wire.AssertAsync(run, HttpStatusCode.NotFound, Wire.Text, "Not found: Script not found at name u/admin/s");
        Assert.Equal(("1", "2"), (await RunAsync(host.Client, $"h/{first}"), await RunAsync(host.Client, $"h/{second}")));
        Assert.Equal(["u/admin/s"], await ListedPathsAsync(host.Client, "?show_archived=true"));
        var audit = Assert.Single(await host.AuditAsync("scripts.archive"));
        Assert.Equal(("admin", "Delete", second, "workspace=demo"),
            (audit.Username, audit.ActionKind.ToString(), audit.Resource, string.Join(',', audit.Parameters!.Select(p => $"{p.Key}={p.Value}"))));
    }

    [Fact]
    public async Task A_path_archived_whole_takes_a_new_version_again()
    {
        await using var host = await StoredScriptHost.StartAsync();
        var first = await CreateAsync(host.Client, NewScript("u/admin/s", "main = 1"));
        (await host.Client.PostAsync(ScriptRoutes + "/archive/p/u/admin/s", null)).Dispose();

        var second = await CreateAsync(host.Client, NewScript("u/admin/s", "main = 2", parent: first));

        Assert.Equal("2", await RunAsync(host.Client, "p/u/admin/s"));
        Assert.Equal([second, first], await HistoryAsync(host.Client, "u/admin/s"));
    }

    [Fact]
    public async Task Archiving_a_hash_answers_the_archived_script_and_it_still_runs()
    {
        await using var host = await StoredScriptHost.StartAsync();
        var hash = await CreateAsync(host.Client, NewScript("u/admin/s", "main = 1"));

        using var archive = await host.Client.PostAsync($"{ScriptRoutes}/archive/h/{hash}", null);
        using var unknown = await host.Client.PostAsync($"{ScriptRoutes}/archive/h/0123456789abcdef", null);
        using var archived = JsonDocument.Parse(await archive.Content.ReadAsStringAsync());

        Assert.Equal((HttpStatusCode.OK, Wire.Json), (archive.StatusCode, Wire.ContentType(archive)));
        Assert.Equal((hash, true), (archived.RootElement.GetProperty("hash").GetString(), archived.RootElement.GetProperty("archived").GetBoolean()));
        await Wire.AssertAsync(unknown, HttpStatusCode.NotFound, Wire.Text, "Not found: Script not found at hash 0123456789abcdef");
        Assert.Equal("1", await RunAsync(host.Client, $"h/{hash}"));
        Assert.Equal(hash, Assert.Single(await host.AuditAsync("scripts.archive")).Resource);
    }

    [Fact]
    public async Task Deleting_a_path_answers_it_as_json_and_every_hash_of_it_gets_404()
    {
        await using var host = await StoredScriptHost.StartAsync();
        var first = await CreateAsync(host.Client, NewScript("u/admin/s", "main = 1"));
        var second = await CreateAsync(host.Client, NewScript("u/admin/s", "main = 2", parent: first));

        using var delete = await host.Client.PostAsync(ScriptRoutes + "/delete/p/u/admin/s", null);
        using var again = await host.Client.PostAsync(ScriptRoutes + "/delete/p/u/admin/s", null);
        using var byHash = await host.Client.GetAsync($"{ScriptRoutes}/get/h/{first}");
        using var run = await host.Client.PostAsync($"{StoredScriptHost.Api}/jobs/run_wait_result/h/{second}", Wire.JsonBody("{}"));
        using var runAsync = await host.Client.PostAsync($"{StoredScriptHost.Api}/jobs/run/h/{first}", Wire.JsonBody("{}"));

        await Wire.AssertAsync(delete, HttpStatusCode.OK, Wire.Json, "\"u/admin/s\"");
        await Wire.AssertAsync(again, HttpStatusCode.NotFound, Wire.Text, "Not found: Script not found at name u/admin/s");
        await Wire.AssertAsync(byHash, HttpStatusCode.NotFound, Wire.Text, $"Not found: Script not found at hash {first}");
        await Wire.AssertAsync(run, HttpStatusCode.NotFound, Wire.Text, $"Not found: Script not found at hash {second}");
        await Wire.AssertAsync(runAsync, HttpStatusCode.NotFound, Wire.Text, $"Not found: Script not found at hash {first}");
        Assert.Empty(await HistoryAsync(host.Client, "u/admin/s"));
        var audit = Assert.Single(await host.AuditAsync("scripts.delete"));
        Assert.Equal(("admin", "Delete", "u/admin/s"), (audit.Username, audit.ActionKind.ToString(), audit.Resource));
    }

    [Theory]
    [InlineData("/archive/p/u/admin/none", HttpStatusCode.NotFound, "Not found: Script not found at name u/admin/none")]
    [InlineData("/delete/p/u/admin/none", HttpStatusCode.NotFound, "Not found: Script not found at name u/admin/none")]
    [InlineData("/archive/p/u/code/hello", HttpStatusCode.BadRequest, "Bad request: Path conflict for u/code/hello: the host registers a script at this path in its code")]
    [InlineData("/delete/p/u/code/hello", HttpStatusCode.BadRequest, "Bad request: Path conflict for u/code/hello: the host registers a script at this path in its code")]
    [InlineData("/delete/p/nope", HttpStatusCode.BadRequest, "Bad request: invalid script path: nope: expected u/<user>/<name> or f/<folder>/<name>")]
    [InlineData("/archive/h/xyz", HttpStatusCode.BadRequest, "Bad request: invalid script hash: xyz: expected 16 hex characters")]
    public async Task Archiving_or_deleting_what_cannot_be_gets_windmills_error(string route, HttpStatusCode status, string error)
    {
        await using var host = await StoredScriptHost.StartAsync();

        using var response = await host.Client.PostAsync(ScriptRoutes + route, null);

        await Wire.AssertAsync(response, status, Wire.Text, error);
        Assert.Equal("\"hello from code\"", await RunAsync(host.Client, "p/" + StoredScriptHost.CodePath));
    }

    [Fact]
    public async Task Raw_routes_answer_the_content_as_text_by_path_with_an_extension_and_by_hash_with_ts()
    {
        await using var host = await StoredScriptHost.StartAsync();
        var first = await CreateAsync(host.Client, NewScript("u/admin/s", "main = 1"));
        await CreateAsync(host.Client, NewScript("u/admin/s", "main = 2", parent: first));

        using var byPath = await host.Client.GetAsync(ScriptRoutes + "/raw/p/u/admin/s.ts");
        using var byHash = await host.Client.GetAsync($"{ScriptRoutes}/raw/h/{first}.ts");
        using var noExtension = await host.Client.GetAsync(ScriptRoutes + "/raw/p/u/admin/s");
        using var noTs = await host.Client.GetAsync($"{ScriptRoutes}/raw/h/{first}");
        using var unknown = await host.Client.GetAsync(ScriptRoutes + "/raw/p/u/admin/none.ts");

        await Wire.AssertAsync(byPath, HttpStatusCode.OK, Wire.Text, "main = 2");
        await Wire.AssertAsync(byHash, HttpStatusCode.OK, Wire.Text, "main = 1");
        await Wire.AssertAsync(noExtension, HttpStatusCode.BadRequest, Wire.Text, "Bad request: Path must ends with a .py, .ts, .go. or .sh extension: u/admin/s");
        await Wire.AssertAsync(noTs, HttpStatusCode.BadRequest, Wire.Text, "Bad request: Raw script path must end with .ts");
        await Wire.AssertAsync(unknown, HttpStatusCode.NotFound, Wire.Text, "Not found: Script not found at name u/admin/none");
    }

    [Fact]
    public async Task Exists_answers_json_true_or_false()
    {
        await using var host = await StoredScriptHost.StartAsync();
        await CreateAsync(host.Client, NewScript("u/admin/s", "main = 1"));

        using var known = await host.Client.GetAsync(ScriptRoutes + "/exists/p/u/admin/s");
        using var unknown = await host.Client.GetAsync(ScriptRoutes + "/exists/p/u/admin/none");
        using var invalid = await host.Client.GetAsync(ScriptRoutes + "/exists/p/admin");

        await Wire.AssertAsync(known, HttpStatusCode.OK, Wire.Json, "true");
        await Wire.AssertAsync(unknown, HttpStatusCode.OK, Wire.Json, "false");
        await Wire.AssertAsync(invalid, HttpStatusCode.BadRequest, Wire.Text, "Bad request: invalid script path: admin");
    }

    [Theory]
    [InlineData("?languages=test-lang", new[] { "f/team/b", "u/admin/a" })]
    [InlineData("?languages=csharp,bun", new[] { StoredScriptHost.CodePath })]
    [InlineData("?created_by=system", new[] { StoredScriptHost.CodePath })]
    [InlineData("?path_start=f/", new[] { "f/team/b" })]
    [InlineData("?per_page=1&page=3", new[] { "u/code/hello" })]
    [InlineData("?show_archived=true", new[] { "u/admin/gone" })]
    public async Task List_filters_stored_and_code_scripts_alike(string query, string[] paths)
    {
        await using var host = await StoredScriptHost.StartAsync();
        await CreateAsync(host.Client, NewScript("u/admin/a", "main = 1"));
        await CreateAsync(host.Client, NewScript("f/team/b", "main = 1"));
        await CreateAsync(host.Client, NewScript("u/admin/gone", "main = 1"));
        (await host.Client.PostAsync(ScriptRoutes + "/archive/p/u/admin/gone", null)).Dispose();

        Assert.Equal(paths, await ListedPathsAsync(host.Client, query));
    }
}
