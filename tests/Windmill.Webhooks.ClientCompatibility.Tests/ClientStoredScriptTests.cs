using System.Text.Json;

namespace Windmill.Webhooks.ClientCompatibility.Tests;

/// <summary>
/// Stored TypeScript scripts driven end to end by <c>windmill-client</c> 1.818.0, unchanged, against the running sample:
/// <c>ScriptService.createScript</c>, <c>getScriptByPath</c>, <c>getScriptByHash</c>, <c>existsScriptByPath</c>,
/// <c>listScripts</c>, <c>getScriptHistoryByPath</c>, <c>archiveScriptByPath</c> and <c>deleteScriptByPath</c>, then the
/// versions run with <c>runScriptByPath</c>, <c>runScriptByHash</c>, <c>runScriptByPathAsync</c> and <c>runScriptByHashAsync</c>.
/// </summary>
[Collection(RunningSample.Name)]
public sealed class ClientStoredScriptTests(CompatibilityFixture fixture)
{
    private const string Workspace = "demo";

    [Fact]
    public async Task A_stored_typescript_script_is_created_overwritten_and_both_versions_run_by_path_and_by_hash()
    {
        var path = $"u/admin/add_{Guid.NewGuid():N}"[..24];
        var first = (await CreateAsync(path, parentHash: null, "export function main(a: number, b: number = 1): number { return a + b; }")).Text();
        var second = (await CreateAsync(path, first,
            "interface Sum { total: number }\nexport async function main(a: number, b = 1): Promise<Sum> { return { total: (a + b) * 10 }; }")).Text();

        var byPath = await fixture.CallAsync("runScriptByPath", path, new { a = 2 });
        var oldByHash = await fixture.CallAsync("runScriptByHash", first, new { a = 2, b = 5 });
        var asyncId = (await fixture.CallAsync("runScriptByHashAsync", second, new { a = 1 })).Text();
        var asyncByPathId = (await fixture.CallAsync("runScriptByPathAsync", path, new { a = 3 })).Text();

        Assert.Matches("^[0-9a-f]{16}$", first);
        Assert.NotEqual(first, second);
        Assert.Equal("""{"total":30}""", byPath.Json());
        Assert.Equal("7", oldByHash.Json());
        Assert.Equal("""{"total":20}""", (await fixture.CallAsync("waitJob", asyncId)).Json());
        Assert.Equal("""{"total":40}""", (await fixture.CallAsync("waitJob", asyncByPathId)).Json());
    }

    [Fact]
    public async Task The_script_service_reads_lists_archives_and_deletes_what_it_stored()
    {
        var path = $"u/admin/greet_{Guid.NewGuid():N}"[..26];
        var hash = (await CreateAsync(path, parentHash: null, "export function main(name: string = \"you\") { return `hi ${name}`; }")).Text();

        var byPath = Json(await fixture.CallAsync("ScriptService.getScriptByPath", new { workspace = Workspace, path }));
        var byHash = Json(await fixture.CallAsync("ScriptService.getScriptByHash", new { workspace = Workspace, hash }));
        var exists = (await fixture.CallAsync("ScriptService.existsScriptByPath", new { workspace = Workspace, path })).Json();
        var listed = Json(await fixture.CallAsync("ScriptService.listScripts", new { workspace = Workspace, pathExact = path }));
        var history = Json(await fixture.CallAsync("ScriptService.getScriptHistoryByPath", new { workspace = Workspace, path }));
        await fixture.CallAsync("ScriptService.archiveScriptByPath", new { workspace = Workspace, path });
        var archived = Json(await fixture.CallAsync("ScriptService.getScriptByHash", new { workspace = Workspace, hash }));
        var archivedStillRuns = (await fixture.CallAsync("runScriptByHash", hash, new { name = "Bo" })).Json();
        await fixture.CallAsync("ScriptService.deleteScriptByPath", new { workspace = Workspace, path });
        var afterDelete = await fixture.CallAsync("ScriptService.existsScriptByPath", new { workspace = Workspace, path });
        var deletedHash = await fixture.CallAsync("ScriptService.getScriptByHash", new { workspace = Workspace, hash });

        Assert.Equal((hash, path, "bun", false), (byPath.GetProperty("hash").GetString(), byPath.GetProperty("path").GetString(),
            byPath.GetProperty("language").GetString(), byPath.GetProperty("archived").GetBoolean()));
        Assert.Equal("you", byPath.GetProperty("schema").GetProperty("properties").GetProperty("name").GetProperty("default").GetString());
        Assert.Equal(hash, byHash.GetProperty("hash").GetString());
        Assert.Equal("true", exists);
        Assert.Equal(hash, Assert.Single(listed.EnumerateArray()).GetProperty("hash").GetString());
        Assert.Equal(hash, Assert.Single(history.EnumerateArray()).GetProperty("script_hash").GetString());
        Assert.True(archived.GetProperty("archived").GetBoolean());
        Assert.Equal("\"hi Bo\"", archivedStillRuns);
        Assert.Equal("false", afterDelete.Json());
        Assert.Equal(404, deletedHash.Status);
    }

    [Fact]
    public async Task A_script_that_imports_a_package_is_refused_with_the_servers_400()
    {
        var refused = await CreateAsync("u/admin/imports", parentHash: null, "import _ from \"lodash\";\nexport function main() { return 1; }");

        Assert.Equal(400, refused.Status);
        Assert.Contains("'lodash' cannot be imported", refused.Body?.GetString(), StringComparison.Ordinal);
    }

    private Task<ClientOutcome> CreateAsync(string path, string? parentHash, string content) =>
        fixture.CallAsync("ScriptService.createScript", new
        {
            workspace = Workspace,
            requestBody = new { path, parent_hash = parentHash, summary = "", description = "", content, language = "bun" },
        });

    private static JsonElement Json(ClientOutcome outcome) => JsonDocument.Parse(outcome.Json()).RootElement;
}
