using System.Text.Json;

namespace Windmill.Webhooks.ClientCompatibility.Tests;

/// <summary>The generated <c>JobService</c> and <c>ScriptService</c> calls of <c>windmill-client</c> 1.818.0 that this library serves.</summary>
[Collection(RunningSample.Name)]
public sealed class ClientServiceTests(CompatibilityFixture fixture)
{
    private const string Workspace = "demo";

    [Fact]
    public async Task RunScriptByPath_takes_the_job_options()
    {
        var jobId = Guid.CreateVersion7().ToString();
        var parentJob = Guid.CreateVersion7().ToString();

        var id = (await fixture.CallAsync("JobService.runScriptByPath", new
        {
            workspace = Workspace, path = "u/bot/echo", requestBody = new { x = 1 }, jobId, parentJob, tag = "etl",
            invisibleToOwner = true, skipPreprocessor = true, cacheTtl = 60,
        })).Text();
        var job = await CompletedJobAsync(id);

        Assert.Equal(jobId, id);
        Assert.Equal((parentJob, "etl", false, """{"x":1}"""), (job.GetProperty("parent_job").GetString(), job.GetProperty("tag").GetString(),
            job.GetProperty("visible_to_owner").GetBoolean(), job.GetProperty("result").GetRawText()));
    }

    [Fact]
    public async Task RunScriptByPath_with_a_used_job_id_is_the_servers_400()
    {
        var jobId = Guid.CreateVersion7().ToString();
        await fixture.CallAsync("JobService.runScriptByPath", new { workspace = Workspace, path = "u/bot/echo", requestBody = new { }, jobId });

        var again = await fixture.CallAsync("JobService.runScriptByPath", new { workspace = Workspace, path = "u/bot/echo", requestBody = new { }, jobId });

        Assert.Equal((400, $"\"Bad request: Job with id {jobId} already exists\""), (again.Status, again.Body?.GetRawText()));
    }

    [Fact]
    public async Task RunScriptByHash_and_scheduledFor()
    {
        var hash = JsonDocument.Parse((await fixture.CallAsync("ScriptService.getScriptByPath", new { workspace = Workspace, path = "u/bot/echo" })).Json())
            .RootElement.GetProperty("hash").GetString();
        var at = DateTimeOffset.UtcNow.AddDays(1);

        var id = (await fixture.CallAsync("JobService.runScriptByHash", new
        {
            workspace = Workspace, hash, requestBody = new { }, scheduledFor = at.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
        })).Text();
        var job = JsonDocument.Parse((await fixture.CallAsync("JobService.getJob", new { workspace = Workspace, id })).Json()).RootElement;
        await fixture.CallAsync("JobService.cancelQueuedJob", new { workspace = Workspace, id, requestBody = new { reason = "test" } });

        Assert.Equal((hash, "QueuedJob"), (job.GetProperty("script_hash").GetString(), job.GetProperty("type").GetString()));
        Assert.Equal(at.ToUnixTimeMilliseconds(), job.GetProperty("scheduled_for").GetDateTimeOffset().ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task RunWaitResultScriptByPath_returns_the_result_or_the_422_error()
    {
        var ok = await fixture.CallAsync("JobService.runWaitResultScriptByPath", new { workspace = Workspace, path = "u/bot/hello_world", requestBody = new { name = "Bob" } });
        var failed = await fixture.CallAsync("JobService.runWaitResultScriptByPath", new { workspace = Workspace, path = "u/bot/fail", requestBody = new { message = "no" } });

        Assert.Equal("\"Hello, Bob!\"", ok.Json());
        Assert.Equal((422, """{"error":{"name":"InvalidOperationException","message":"no"}}"""), (failed.Status, failed.Body?.GetRawText()));
    }

    [Fact]
    public async Task RunWaitResultScriptByPathGet_decodes_the_payload()
    {
        var payload = Convert.ToBase64String("""{"name":"Get"}"""u8);

        Assert.Equal("\"Hello, Get!\"", (await fixture.CallAsync("JobService.runWaitResultScriptByPathGet", new { workspace = Workspace, path = "u/bot/hello_world", payload })).Json());
    }

    [Fact]
    public async Task Custom_responses_reach_the_client_by_content_type()
    {
        var text = await fixture.CallAsync("JobService.runWaitResultScriptByPath", new
        {
            workspace = Workspace, path = "u/bot/echo",
            requestBody = new { windmill_status_code = 202, windmill_content_type = "text/plain", result = "plain words" },
        });
        var json = await fixture.CallAsync("JobService.runWaitResultScriptByPath", new
        {
            workspace = Workspace, path = "u/bot/echo", requestBody = new { windmill_status_code = 201, result = new { made = true } },
        });

        Assert.Equal("\"plain words\"", text.Json());
        Assert.Equal("""{"made":true}""", json.Json());
    }

    [Fact]
    public async Task Job_reads_getJob_getCompletedJob_result_resultMaybe_timing_and_updates()
    {
        var id = (await fixture.CallAsync("JobService.runScriptByPath", new { workspace = Workspace, path = "u/bot/echo", requestBody = new { k = "v" } })).Text();
        var job = await CompletedJobAsync(id);

        var completed = JsonDocument.Parse((await fixture.CallAsync("JobService.getCompletedJob", new { workspace = Workspace, id })).Json()).RootElement;
        var result = await fixture.CallAsync("JobService.getCompletedJobResult", new { workspace = Workspace, id });
        var maybe = await fixture.CallAsync("JobService.getCompletedJobResultMaybe", new { workspace = Workspace, id, getStarted = true });
        var timing = JsonDocument.Parse((await fixture.CallAsync("JobService.getCompletedJobTiming", new { workspace = Workspace, id })).Json()).RootElement;
        var update = await fixture.CallAsync("JobService.getJobUpdates", new { workspace = Workspace, id, running = false, logOffset = 0 });

        Assert.Equal(("CompletedJob", true, "script", "u/bot/echo", """{"k":"v"}"""), (job.GetProperty("type").GetString(), job.GetProperty("success").GetBoolean(),
            job.GetProperty("job_kind").GetString(), job.GetProperty("script_path").GetString(), job.GetProperty("args").GetRawText()));
        Assert.Equal(job.GetRawText(), completed.GetRawText());
        Assert.Equal("""{"k":"v"}""", result.Json());
        Assert.Equal("""{"started":true,"success":true,"completed":true,"result":{"k":"v"}}""", maybe.Json());
        Assert.Equal(job.GetProperty("created_at").GetString(), timing.GetProperty("created_at").GetString());
        Assert.Equal(job.GetProperty("duration_ms").GetInt64(), timing.GetProperty("duration_ms").GetInt64());
        Assert.Equal("""{"running":false,"completed":true,"new_logs":"","log_offset":0}""", update.Json());
    }

    [Fact]
    public async Task ListJobs_listCompletedJobs_and_listQueue_filter_as_asked()
    {
        var path = "u/bot/echo";
        var done = (await fixture.CallAsync("JobService.runScriptByPath", new { workspace = Workspace, path, requestBody = new { list = 1 } })).Text();
        await CompletedJobAsync(done);
        var later = (await fixture.CallAsync("JobService.runScriptByPath", new { workspace = Workspace, path, requestBody = new { }, scheduledInSecs = 3600 })).Text();

        var all = await IdsAsync("JobService.listJobs", new { workspace = Workspace, scriptPathExact = path, createdBy = "admin", jobKinds = "script", perPage = 1000 });
        var completed = await IdsAsync("JobService.listCompletedJobs", new { workspace = Workspace, scriptPathStart = "u/bot/ec", success = true, perPage = 1000 });
        var queue = await IdsAsync("JobService.listQueue", new { workspace = Workspace, scriptPathExact = path, running = false, perPage = 1000 });
        var none = await IdsAsync("JobService.listJobs", new { workspace = Workspace, scriptPathExact = path, jobKinds = "flow" });
        await fixture.CallAsync("JobService.cancelQueuedJob", new { workspace = Workspace, id = later, requestBody = new { } });

        Assert.Contains(done, all);
        Assert.Contains(later, all);
        Assert.Contains(done, completed);
        Assert.DoesNotContain(later, completed);
        Assert.Contains(later, queue);
        Assert.DoesNotContain(done, queue);
        Assert.Empty(none);
    }

    [Fact]
    public async Task CancelQueuedJob_and_forceCancelQueuedJob_answer_the_id_then_already_completed()
    {
        var first = (await fixture.CallAsync("JobService.runScriptByPath", new { workspace = Workspace, path = "u/bot/sleep", requestBody = new { ms = 600000 } })).Text();
        var second = (await fixture.CallAsync("JobService.runScriptByPath", new { workspace = Workspace, path = "u/bot/sleep", requestBody = new { ms = 600000 } })).Text();

        var canceled = await fixture.CallAsync("JobService.cancelQueuedJob", new { workspace = Workspace, id = first, requestBody = new { reason = "a" } });
        var forced = await fixture.CallAsync("JobService.forceCancelQueuedJob", new { workspace = Workspace, id = second, requestBody = new { reason = "b" } });
        var again = await fixture.CallAsync("JobService.cancelQueuedJob", new { workspace = Workspace, id = first, requestBody = new { } });

        Assert.Equal((first, second), (canceled.Text(), forced.Text()));
        Assert.Equal($"queued job id {first} is already completed", again.Text());
    }

    [Fact]
    public async Task GetScriptByPath_and_getScriptByHash_describe_the_same_version()
    {
        var byPath = JsonDocument.Parse((await fixture.CallAsync("ScriptService.getScriptByPath", new { workspace = Workspace, path = "u/bot/hello_world" })).Json()).RootElement;
        var byHash = await fixture.CallAsync("ScriptService.getScriptByHash", new { workspace = Workspace, hash = byPath.GetProperty("hash").GetString() });

        Assert.Equal(("u/bot/hello_world", false), (byPath.GetProperty("path").GetString(), byPath.GetProperty("archived").GetBoolean()));
        Assert.Equal(byPath.GetRawText(), byHash.Json());
    }

    private async Task<JsonElement> CompletedJobAsync(string id)
    {
        await fixture.CallAsync("waitJob", id);
        return JsonDocument.Parse((await fixture.CallAsync("JobService.getJob", new { workspace = Workspace, id })).Json()).RootElement;
    }

    private async Task<string[]> IdsAsync(string function, object query) =>
        JsonDocument.Parse((await fixture.CallAsync(function, query)).Json()).RootElement.EnumerateArray().Select(job => job.GetProperty("id").GetString()!).ToArray();
}
