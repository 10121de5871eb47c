using System.Text.Json;

namespace Windmill.Webhooks.ClientCompatibility.Tests;

/// <summary>
/// Stored flows driven by <c>windmill-client</c> 1.818.0, unchanged: <c>FlowService.createFlow</c>, <c>getFlowByPath</c>,
/// <c>updateFlow</c>, <c>existsFlowByPath</c>, <c>listFlows</c>, <c>getFlowHistory</c>, <c>archiveFlowByPath</c> and
/// <c>deleteFlowByPath</c> against the running sample; then the runs, <c>JobService.runFlowByPath</c>,
/// <c>runWaitResultFlowByPath</c> and the helpers <c>runFlow</c> and <c>runFlowAsync</c>, against <see cref="EchoFlowHost"/>,
/// whose flow jobs echo their args.
/// </summary>
[Collection(RunningSample.Name)]
public sealed class ClientFlowTests(CompatibilityFixture fixture, EchoFlowHost echo) : IClassFixture<EchoFlowHost>
{
    private const string Workspace = "demo";

    [SkippableFact]
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

    [SkippableFact]
    public async Task The_job_service_and_the_helpers_run_a_flow_by_path_async_and_sync()
    {
        var path = $"f/echo/flow_{Guid.NewGuid():N}"[..24];
        Assert.Equal(path, (await CallEchoAsync("FlowService.createFlow", new { workspace = Workspace, requestBody = Flow(path, "a") })).Text());

        var id = (await CallEchoAsync("JobService.runFlowByPath", new { workspace = Workspace, path, requestBody = new { n = 1 } })).Text();
        var waited = (await CallEchoAsync("waitJob", id)).Json();
        var sync = (await CallEchoAsync("JobService.runWaitResultFlowByPath", new { workspace = Workspace, path, requestBody = new { n = 2 } })).Json();
        var failed = await CallEchoAsync("JobService.runWaitResultFlowByPath", new { workspace = Workspace, path, requestBody = new { fail = "no" } });
        var helper = (await CallEchoAsync("runFlow", path, new { n = 3 })).Json();
        var asyncId = (await CallEchoAsync("runFlowAsync", path, new { n = 4 })).Text();
        var asyncResult = (await CallEchoAsync("waitJob", asyncId)).Json();
        var job = Json(await CallEchoAsync("JobService.getJob", new { workspace = Workspace, id }));

        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id);
        Assert.Equal(("""{"n":1}""", """{"n":2}""", """{"n":3}""", """{"n":4}"""), (waited, sync, helper, asyncResult));
        Assert.Equal((422, "no"), (failed.Status, failed.Body?.GetProperty("error").GetProperty("message").GetString()));
        Assert.Equal(("flow", path), (job.GetProperty("job_kind").GetString(), job.GetProperty("script_path").GetString()));
    }

    private Task<ClientOutcome> CallEchoAsync(string function, params object?[] arguments) =>
        fixture.Client.CallAsync(echo.Origin, EchoFlowHost.AdminToken, function, arguments);

    private static object Flow(string path, string step) => new
    {
        path,
        summary = "A flow",
        description = "",
        value = new { modules = new[] { new { id = step, value = new { type = "identity" } } } },
        schema = new { type = "object", properties = new { } },
    };

    private static string? StepId(JsonElement flow) => flow.GetProperty("value").GetProperty("modules")[0].GetProperty("id").GetString();

    private static JsonElement Json(ClientOutcome outcome) => JsonDocument.Parse(outcome.Json()).RootElement;
}
