using System.Text.Json;

namespace Windmill.Webhooks.ClientCompatibility.Tests;

/// <summary>
/// Stored flows driven by <c>windmill-client</c> 1.818.0, unchanged: <c>FlowService.createFlow</c>, <c>getFlowByPath</c>,
/// <c>updateFlow</c>, <c>existsFlowByPath</c>, <c>listFlows</c>, <c>getFlowHistory</c>, <c>archiveFlowByPath</c> and
/// <c>deleteFlowByPath</c> against the running sample; then the runs, <c>JobService.runFlowByPath</c>,
/// <c>runWaitResultFlowByPath</c> and the helpers <c>runFlow</c> and <c>runFlowAsync</c>, against <see cref="FlowRunHost"/>,
/// on a flow whose one inline step answers the flow's args, or throws the text of an arg <c>fail</c>.
/// </summary>
[Collection(RunningSample.Name)]
public sealed class ClientFlowTests(CompatibilityFixture fixture, FlowRunHost runHost) : IClassFixture<FlowRunHost>
{
    private const string Workspace = "demo";

    [Fact]
    public async Task The_flow_service_creates_reads_updates_lists_archives_and_deletes_a_flow()
    {
        var path = $"u/admin/flow_{Guid.NewGuid():N}"[..25];

        var created = await fixture.CallAsync("FlowService.createFlow", new { workspace = Workspace, requestBody = Flow(path, "first") });
        var read = Json(await fixture.CallAsync("FlowService.getFlowByPath", new { workspace = Workspace, path }));
        var updated = await fixture.CallAsync("FlowService.updateFlow", new { workspace = Workspace, path, requestBody = Flow(path, "second") });
        var exists = (await fixture.CallAsync("FlowService.existsFlowByPath", new { workspace = Workspace, path })).Json();
        var listed = Json(await fixture.CallAsync("FlowService.listFlows", new { workspace = Workspace, pathExact = path }));
        var history = Json(await fixture.CallAsync("FlowService.getFlowHistory", new { workspace = Workspace, path }));
        var archived = await fixture.CallAsync("FlowService.archiveFlowByPath", new { workspace = Workspace, path, requestBody = new { archived = true } });
        var archivedRead = Json(await fixture.CallAsync("FlowService.getFlowByPath", new { workspace = Workspace, path }));
        var liveList = Json(await fixture.CallAsync("FlowService.listFlows", new { workspace = Workspace, pathExact = path }));
        var deleted = await fixture.CallAsync("FlowService.deleteFlowByPath", new { workspace = Workspace, path });
        var gone = await fixture.CallAsync("FlowService.getFlowByPath", new { workspace = Workspace, path });
        var again = await fixture.CallAsync("FlowService.createFlow", new { workspace = Workspace, requestBody = Flow("u/admin/twice", "a") });
        var twice = await fixture.CallAsync("FlowService.createFlow", new { workspace = Workspace, requestBody = Flow("u/admin/twice", "b") });

        Assert.Equal(path, created.Text());
        Assert.Equal((path, "first", false), (read.GetProperty("path").GetString(), StepId(read), read.GetProperty("archived").GetBoolean()));
        Assert.Equal(path, updated.Text());
        Assert.Equal("true", exists);
        Assert.Equal("second", StepId(Assert.Single(listed.EnumerateArray())));
        Assert.Equal(2, history.GetArrayLength());
        Assert.True(history[0].GetProperty("id").GetInt64() > history[1].GetProperty("id").GetInt64());
        Assert.Equal($"Flow {path} archived", archived.Text());
        Assert.True(archivedRead.GetProperty("archived").GetBoolean());
        Assert.Equal(0, liveList.GetArrayLength());
        Assert.Equal($"Flow {path} deleted", deleted.Text());
        Assert.Equal((404, "Not found: Flow not found at path " + path), (gone.Status, gone.Body?.GetString()));
        Assert.True(again.Ok);
        Assert.Equal((400, "Bad request: Flow u/admin/twice already exists"), (twice.Status, twice.Body?.GetString()));
        await fixture.CallAsync("FlowService.deleteFlowByPath", new { workspace = Workspace, path = "u/admin/twice" });
    }

    [Fact]
    public async Task The_job_service_and_the_helpers_run_a_flow_by_path_async_and_sync()
    {
        var path = $"f/echo/flow_{Guid.NewGuid():N}"[..24];
        Assert.Equal(path, (await CallRunHostAsync("FlowService.createFlow", new { workspace = Workspace, requestBody = Flow(path, "a", Echo) })).Text());

        var id = (await CallRunHostAsync("JobService.runFlowByPath", new { workspace = Workspace, path, requestBody = new { n = 1 } })).Text();
        var waited = (await CallRunHostAsync("waitJob", id)).Json();
        var sync = (await CallRunHostAsync("JobService.runWaitResultFlowByPath", new { workspace = Workspace, path, requestBody = new { n = 2 } })).Json();
        var failed = await CallRunHostAsync("JobService.runWaitResultFlowByPath", new { workspace = Workspace, path, requestBody = new { fail = "no" } });
        var helper = (await CallRunHostAsync("runFlow", path, new { n = 3 })).Json();
        var asyncId = (await CallRunHostAsync("runFlowAsync", path, new { n = 4 })).Text();
        var asyncResult = (await CallRunHostAsync("waitJob", asyncId)).Json();
        var job = Json(await CallRunHostAsync("JobService.getJob", new { workspace = Workspace, id }));

        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id);
        Assert.Equal(("""{"n":1}""", """{"n":2}""", """{"n":3}""", """{"n":4}"""), (waited, sync, helper, asyncResult));
        Assert.Equal((422, "no"), (failed.Status, failed.Body?.GetProperty("error").GetProperty("message").GetString()));
        Assert.Equal(("flow", path), (job.GetProperty("job_kind").GetString(), job.GetProperty("script_path").GetString()));
    }

    private Task<ClientOutcome> CallRunHostAsync(string function, params object?[] arguments) =>
        fixture.Client.CallAsync(runHost.Origin, FlowRunHost.AdminToken, function, arguments);

    private static readonly object Echo = new
    {
        type = "rawscript",
        language = "javascript",
        content = "export function main(args) { if (args.fail) throw new Error(args.fail); return args }",
        input_transforms = new { args = new { type = "javascript", expr = "flow_input" } },
    };

    private static object Flow(string path, string step, object? module = null) => new
    {
        path,
        summary = "A flow",
        description = "",
        value = new { modules = new[] { new { id = step, value = module ?? new { type = "identity" } } } },
        schema = new { type = "object", properties = new { } },
    };

    private static string? StepId(JsonElement flow) => flow.GetProperty("value").GetProperty("modules")[0].GetProperty("id").GetString();

    private static JsonElement Json(ClientOutcome outcome) => JsonDocument.Parse(outcome.Json()).RootElement;
}
