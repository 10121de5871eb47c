using System.Text.Json;

namespace Windmill.Webhooks.ClientCompatibility.Tests;

/// <summary>
/// The helper functions of <c>windmill-client</c> 1.818.0, unchanged, against the running sample:
/// <c>setClient</c> (every call), <c>runScriptByPath</c>, <c>runScriptByPathAsync</c>, <c>runScriptByHash</c>,
/// <c>runScriptByHashAsync</c>, <c>waitJob</c>, <c>getResult</c>, <c>getResultMaybe</c> and <c>cancelJob</c>.
/// </summary>
[Collection(RunningSample.Name)]
public sealed class ClientHelperTests(CompatibilityFixture fixture)
{
    private const string Uuid = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

    [Fact]
    public async Task RunScriptByPath_runs_and_waits_for_the_result() =>
        Assert.Equal("\"Hello, Ada!\"", (await fixture.CallAsync("runScriptByPath", "u/bot/hello_world", new { name = "Ada" })).Json());

    [Fact]
    public async Task RunScriptByPathAsync_answers_the_bare_job_id_that_waitJob_follows()
    {
        var id = (await fixture.CallAsync("runScriptByPathAsync", "u/bot/echo", new { a = 1, b = new[] { "x" } })).Text();

        Assert.Matches(Uuid, id);
        Assert.Equal("""{"a":1,"b":["x"]}""", (await fixture.CallAsync("waitJob", id)).Json());
    }

    [Fact]
    public async Task RunScriptByHash_runs_exactly_that_version()
    {
        var hash = await HashAsync("u/bot/hello_world");

        Assert.Equal("\"Hello, Hash!\"", (await fixture.CallAsync("runScriptByHash", hash, new { name = "Hash" })).Json());
    }

    [Fact]
    public async Task RunScriptByHashAsync_then_getResult_reads_the_completed_result()
    {
        var id = (await fixture.CallAsync("runScriptByHashAsync", await HashAsync("u/bot/echo"), new { n = 7 })).Text();
        await fixture.CallAsync("waitJob", id);

        Assert.Equal("""{"n":7}""", (await fixture.CallAsync("getResult", id)).Json());
    }

    [Fact]
    public async Task WaitJob_throws_the_jobs_error_when_it_failed()
    {
        var id = (await fixture.CallAsync("runScriptByPathAsync", "u/bot/fail", new { message = "disk on fire" })).Text();

        var outcome = await fixture.CallAsync("waitJob", id);

        Assert.False(outcome.Ok);
        Assert.Equal($$"""Job {{id}} was not successful: {"name":"InvalidOperationException","message":"disk on fire"}""", outcome.Message);
    }

    [Fact]
    public async Task GetResultMaybe_reports_a_running_job_then_cancelJob_cancels_it()
    {
        var id = (await fixture.CallAsync("runScriptByPathAsync", "u/bot/sleep", new { ms = 600000 })).Text();

        var before = await fixture.CallAsync("getResultMaybe", id);
        var canceled = await fixture.CallAsync("cancelJob", id, "not needed");
        var after = JsonDocument.Parse((await fixture.CallAsync("getResultMaybe", id)).Json()).RootElement;

        Assert.Equal("""{"started":null,"success":null,"completed":false,"result":null}""", before.Json());
        Assert.Equal(id, canceled.Text());
        Assert.Equal((true, false), (after.GetProperty("completed").GetBoolean(), after.GetProperty("success").GetBoolean()));
        Assert.Equal("Job canceled: not needed by admin", after.GetProperty("result").GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Async_helpers_pass_schedule_and_tag_through()
    {
        var id = (await fixture.CallAsync("runScriptByPathAsync", "u/bot/echo", new { }, 3600, "gpu")).Text();

        var job = JsonDocument.Parse((await fixture.CallAsync("JobService.getJob", new { workspace = "demo", id })).Json()).RootElement;
        await fixture.CallAsync("cancelJob", id);

        Assert.Equal(("QueuedJob", "gpu", false), (job.GetProperty("type").GetString(), job.GetProperty("tag").GetString(), job.GetProperty("running").GetBoolean()));
        var delay = job.GetProperty("scheduled_for").GetDateTimeOffset() - job.GetProperty("created_at").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromHours(1), TimeSpan.FromSeconds(Math.Round(delay.TotalSeconds)));
    }

    [Fact]
    public async Task Helpers_report_an_unknown_script_as_the_servers_404()
    {
        var outcome = await fixture.CallAsync("JobService.runWaitResultScriptByPath", new { workspace = "demo", path = "u/bot/nope", requestBody = new { } });

        Assert.Equal((false, 404, "\"Not found: Script not found at name u/bot/nope\""), (outcome.Ok, outcome.Status, outcome.Body?.GetRawText()));
    }

    [Fact]
    public async Task A_wrong_token_is_the_servers_401()
    {
        var outcome = await fixture.Client.CallAsync(fixture.Origin, "wrong-token", "JobService.listJobs", new { workspace = "demo" });

        Assert.Equal((false, 401, "\"Not authorized: Unauthorized\""), (outcome.Ok, outcome.Status, outcome.Body?.GetRawText()));
    }

    private async Task<string> HashAsync(string path) =>
        JsonDocument.Parse((await fixture.CallAsync("ScriptService.getScriptByPath", new { workspace = "demo", path })).Json())
            .RootElement.GetProperty("hash").GetString()!;
}
