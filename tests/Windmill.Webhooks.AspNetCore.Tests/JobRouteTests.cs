using System.Net;
using System.Text.Json;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>The <c>jobs_u</c> routes (docs/wire-format.md §4): Job JSON, results, get_result_maybe and cancel.</summary>
public sealed class JobRouteTests
{
    private const string JobsU = SampleApp.Api + "/jobs_u";
    private const string UnknownJob = "0190f6b2-3c1e-7d2a-9b1f-0f9a1c2b3d4e";
    private const string StartInstant = "2025-01-31T10:00:00.000000Z";

    [Fact]
    public async Task Get_returns_a_completed_job_in_windmill_job_json()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var hash = await WebhookRouteTests.GetHashAsync(client, "u/bot/hello_world");
        var id = await RunAsync(client, "u/bot/hello_world", """{"name":"Bob"}""");
        await app.WaitForCompletionAsync(id);

        using var response = await client.GetAsync($"{JobsU}/get/{id}");

        Assert.Equal((HttpStatusCode.OK, Wire.Json), (response.StatusCode, Wire.ContentType(response)));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var job = json.RootElement;
        Assert.Equal("CompletedJob", job.GetProperty("type").GetString());
        Assert.Equal(id.ToString(), job.GetProperty("id").GetString());
        Assert.Equal("demo", job.GetProperty("workspace_id").GetString());
        Assert.Equal("admin", job.GetProperty("created_by").GetString());
        Assert.Equal("u/bot/hello_world", job.GetProperty("script_path").GetString());
        Assert.Equal(hash, job.GetProperty("script_hash").GetString());
        Assert.Equal("""{"name":"Bob"}""", job.GetProperty("args").GetRawText());
        Assert.Equal("\"Hello, Bob!\"", job.GetProperty("result").GetRawText());
        Assert.True(job.GetProperty("success").GetBoolean());
        Assert.False(job.GetProperty("canceled").GetBoolean());
        Assert.Equal("script", job.GetProperty("job_kind").GetString());
        Assert.Equal("u/admin", job.GetProperty("permissioned_as").GetString());
        Assert.Equal("webhook", job.GetProperty("trigger_kind").GetString());
        Assert.Equal("csharp", job.GetProperty("language").GetString());
        Assert.False(job.GetProperty("is_flow_step").GetBoolean());
        // RFC 3339 in UTC with a Z, from the host's TimeProvider.
        Assert.Equal(StartInstant, job.GetProperty("created_at").GetString());
        Assert.Equal(StartInstant, job.GetProperty("completed_at").GetString());
        Assert.Equal(0, job.GetProperty("duration_ms").GetInt64());
        Assert.False(job.TryGetProperty("running", out _), "a CompletedJob has no 'running'");
    }

    [Fact]
    public async Task Get_returns_a_running_job_as_a_queued_job()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var id = await RunAsync(client, "u/bot/sleep", """{"ms":600000}""");
        await app.JobStarts.StartedAsync(id);

        using var response = await client.GetAsync($"{JobsU}/get/{id}");

        Assert.Equal((HttpStatusCode.OK, Wire.Json), (response.StatusCode, Wire.ContentType(response)));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var job = json.RootElement;
        Assert.Equal(("QueuedJob", true, false), (job.GetProperty("type").GetString(), job.GetProperty("running").GetBoolean(), job.GetProperty("canceled").GetBoolean()));
        Assert.False(job.TryGetProperty("success", out _), "a QueuedJob has no 'success'");
        Assert.False(job.TryGetProperty("result", out _), "a QueuedJob has no 'result'");
        await CancelAsync(client, id); // ends the sleep
    }

    [Fact]
    public async Task Get_result_returns_the_raw_result_json()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var id = await RunAsync(client, "u/bot/echo", """{"list":[1,{"b":null}]}""");
        await app.WaitForCompletionAsync(id);

        using var response = await client.GetAsync($"{JobsU}/completed/get_result/{id}");

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, """{"list":[1,{"b":null}]}""");
    }

    [Fact]
    public async Task Get_result_of_an_unfinished_job_is_404()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var id = await RunAsync(client, "u/bot/sleep", """{"ms":600000}""");
        await app.JobStarts.StartedAsync(id);

        using var response = await client.GetAsync($"{JobsU}/completed/get_result/{id}");

        await Wire.AssertAsync(response, HttpStatusCode.NotFound, Wire.Text, $"Not found: Completed job {id} not found");
        await CancelAsync(client, id);
    }

    [Fact]
    public async Task Get_result_maybe_of_a_completed_job_has_everything()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var id = await RunAsync(client, "u/bot/hello_world", """{"name":"Bob"}""");
        await app.WaitForCompletionAsync(id);

        using var response = await client.GetAsync($"{JobsU}/completed/get_result_maybe/{id}");

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, """{"started":true,"success":true,"completed":true,"result":"Hello, Bob!"}""");
    }

    [Fact]
    public async Task Get_result_maybe_of_a_failed_job_has_success_false_and_the_error()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var id = await RunAsync(client, "u/bot/fail", """{"message":"nope"}""");
        await app.WaitForCompletionAsync(id);

        using var response = await client.GetAsync($"{JobsU}/completed/get_result_maybe/{id}");

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json,
            """{"started":true,"success":false,"completed":true,"result":{"error":{"name":"InvalidOperationException","message":"nope"}}}""");
    }

    [Fact]
    public async Task Get_result_maybe_of_an_unknown_job_is_not_completed_rather_than_404()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();

        using var response = await client.GetAsync($"{JobsU}/completed/get_result_maybe/{UnknownJob}");

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, """{"started":null,"success":null,"completed":false,"result":null}""");
    }

    [Fact]
    public async Task Get_result_maybe_of_a_running_job_tells_started_only_when_asked()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var id = await RunAsync(client, "u/bot/sleep", """{"ms":600000}""");
        await app.JobStarts.StartedAsync(id);

        using var plain = await client.GetAsync($"{JobsU}/completed/get_result_maybe/{id}");
        using var withStarted = await client.GetAsync($"{JobsU}/completed/get_result_maybe/{id}?get_started=true");

        await Wire.AssertAsync(plain, HttpStatusCode.OK, Wire.Json, """{"started":null,"success":null,"completed":false,"result":null}""");
        await Wire.AssertAsync(withStarted, HttpStatusCode.OK, Wire.Json, """{"started":true,"success":null,"completed":false,"result":null}""");
        await CancelAsync(client, id);
    }

    [Fact]
    public async Task Cancel_stops_a_running_job_and_get_shows_it_canceled()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var id = await RunAsync(client, "u/bot/sleep", """{"ms":600000}""");
        await app.JobStarts.StartedAsync(id);

        using var response = await client.PostAsync($"{JobsU}/queue/cancel/{id}", Wire.JsonBody("""{"reason":"taking too long"}"""));

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Text, id.ToString());
        Assert.Equal(JobStatus.Canceled, (await app.WaitForCompletionAsync(id)).Status);
        using var get = await client.GetAsync($"{JobsU}/get/{id}");
        using var json = JsonDocument.Parse(await get.Content.ReadAsStringAsync());
        var job = json.RootElement;
        Assert.Equal(("CompletedJob", true, false), (job.GetProperty("type").GetString(), job.GetProperty("canceled").GetBoolean(), job.GetProperty("success").GetBoolean()));
        Assert.Equal(("admin", "taking too long"), (job.GetProperty("canceled_by").GetString(), job.GetProperty("canceled_reason").GetString()));
        var error = job.GetProperty("result").GetProperty("error");
        Assert.Equal(("Canceled", "Job canceled: taking too long by admin"), (error.GetProperty("name").GetString(), error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Cancel_without_a_body_is_accepted()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var id = await RunAsync(client, "u/bot/sleep", """{"ms":600000}""");
        await app.JobStarts.StartedAsync(id);

        using var response = await client.PostAsync($"{JobsU}/queue/cancel/{id}", content: null);

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Text, id.ToString());
        Assert.Equal(JobStatus.Canceled, (await app.WaitForCompletionAsync(id)).Status);
    }

    [Fact]
    public async Task Cancel_of_a_completed_job_answers_200_already_completed_and_changes_nothing()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var id = await RunAsync(client, "u/bot/hello_world", "{}");
        await app.WaitForCompletionAsync(id);

        using var response = await client.PostAsync($"{JobsU}/queue/cancel/{id}", Wire.JsonBody("{}"));

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Text, $"queued job id {id} is already completed");
        var job = await app.Runner.GetAsync(SampleApp.Workspace, id, CancellationToken.None);
        Assert.Equal(JobStatus.Success, job!.Status);
    }

    [Fact]
    public async Task Cancel_twice_answers_already_completed_the_second_time()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var id = await RunAsync(client, "u/bot/sleep", """{"ms":600000}""");
        await app.JobStarts.StartedAsync(id);

        using var first = await client.PostAsync($"{JobsU}/queue/cancel/{id}", Wire.JsonBody("{}"));
        using var second = await client.PostAsync($"{JobsU}/queue/cancel/{id}", Wire.JsonBody("{}"));

        await Wire.AssertAsync(first, HttpStatusCode.OK, Wire.Text, id.ToString());
        await Wire.AssertAsync(second, HttpStatusCode.OK, Wire.Text, $"queued job id {id} is already completed");
    }

    [Fact]
    public async Task Cancel_of_an_unknown_job_is_404()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();

        using var response = await client.PostAsync($"{JobsU}/queue/cancel/{UnknownJob}", Wire.JsonBody("{}"));

        await Wire.AssertAsync(response, HttpStatusCode.NotFound, Wire.Text, $"Not found: queued job id {UnknownJob} does not exist");
    }

    [Fact]
    public async Task A_job_of_another_workspace_is_not_found()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var id = await RunAsync(client, "u/bot/hello_world", "{}");
        await app.WaitForCompletionAsync(id);

        using var response = await client.GetAsync($"/api/w/other/jobs_u/get/{id}");

        await Wire.AssertAsync(response, HttpStatusCode.NotFound, Wire.Text, $"Not found: Job {id} not found");
    }

    [Theory]
    [InlineData("GET", "/get/")]
    [InlineData("GET", "/completed/get_result/")]
    [InlineData("GET", "/completed/get_result_maybe/")]
    [InlineData("POST", "/queue/cancel/")]
    public async Task Jobs_u_without_a_token_is_400_as_in_windmill(string method, string route)
    {
        await using var app = new SampleApp();
        using var admin = app.CreateAdminClient();
        var id = await RunAsync(admin, "u/bot/hello_world", "{}");
        await app.WaitForCompletionAsync(id);
        using var anonymous = app.CreateAnonymousClient();

        using var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"{JobsU}{route}{id}"));

        await Wire.AssertAsync(response, HttpStatusCode.BadRequest, Wire.Text,
            "Bad request: As a non logged in user, you can only see jobs ran by anonymous users");
    }

    [Fact]
    public async Task Jobs_u_with_an_unknown_token_is_400_as_without_one()
    {
        await using var app = new SampleApp();
        using var client = app.CreateClientWithBearer("unknownunknownunknownunknown1234");

        using var response = await client.GetAsync($"{JobsU}/get/{UnknownJob}");

        await Wire.AssertAsync(response, HttpStatusCode.BadRequest, Wire.Text,
            "Bad request: As a non logged in user, you can only see jobs ran by anonymous users");
    }

    private static async Task<Guid> RunAsync(HttpClient client, string path, string json)
    {
        using var response = await client.PostAsync($"{SampleApp.Api}/jobs/run/p/{path}", Wire.JsonBody(json));
        return await Wire.AssertCreatedJobAsync(response);
    }

    private static async Task CancelAsync(HttpClient client, Guid id)
    {
        using var response = await client.PostAsync($"{JobsU}/queue/cancel/{id}", Wire.JsonBody("{}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
