using System.Net;
using System.Text.Json;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>
/// Five jobs, one second apart on the fake clock: <c>echo</c> (success), <c>fail</c> (failure), <c>echo</c>
/// with the first as parent (success), <c>hello_world</c> scheduled in an hour (queued), <c>sleep</c> (running).
/// </summary>
public sealed class JobApiFixture : IAsyncLifetime
{
    internal SampleApp App { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    public Guid[] Jobs { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        Client = App.CreateAdminClient();
        var first = await RunAsync("echo", "", """{"n":1}""", complete: true);
        var second = await RunAsync("fail", "", """{"message":"boom"}""", complete: true);
        var third = await RunAsync("echo", $"?parent_job={first}", "{}", complete: true);
        var fourth = await RunAsync("hello_world", "?scheduled_in_secs=3600", "{}", complete: false);
        var fifth = Guid.CreateVersion7();
        await RunAsync("sleep", $"?job_id={fifth}", """{"ms":600000}""", complete: false);
        await App.JobStarts.StartedAsync(fifth);
        Jobs = [first, second, third, fourth, fifth];
    }

    public async ValueTask DisposeAsync()
    {
        await App.Runner.CancelAsync(SampleApp.Workspace, Jobs[4], "test", null, audit: null, CancellationToken.None);
        Client.Dispose();
        await App.DisposeAsync();
    }

    // Each job completes (or is left waiting) before the clock moves on, so its timestamps are exact.
    private async Task<Guid> RunAsync(string script, string query, string args, bool complete)
    {
        var id = await Wire.AssertCreatedJobAsync(await Client.PostAsync($"{SampleApp.Api}/jobs/run/p/u/bot/{script}{query}", Wire.JsonBody(args)));
        if (complete)
        {
            await App.WaitForCompletionAsync(id);
        }

        App.Time.Advance(TimeSpan.FromSeconds(1));
        return id;
    }
}

/// <summary>The jobs API (docs/wire-format.md §4): lists with Windmill's filters and paging, and the by-id routes.</summary>
public sealed class JobApiTests(JobApiFixture fixture) : IClassFixture<JobApiFixture>
{
    private HttpClient Client => fixture.Client;

    [Theory]
    [InlineData("", "5,4,3,2,1")]
    [InlineData("?script_path_exact=u/bot/echo", "3,1")]
    [InlineData("?script_path_start=u/bot/he", "4")]
    [InlineData("?created_by=admin", "5,4,3,2,1")]
    [InlineData("?created_by=nobody", "")]
    [InlineData("?success=true", "3,1")]
    [InlineData("?success=false", "2")]
    [InlineData("?running=true", "5")]
    [InlineData("?running=false", "4")]
    [InlineData("?job_kinds=script", "5,4,3,2,1")]
    [InlineData("?job_kinds=flow,preview", "")]
    [InlineData("?job_kinds=!flow", "5,4,3,2,1")]
    [InlineData("?created_before=2025-01-31T10:00:02Z", "2,1")]
    [InlineData("?created_after=2025-01-31T10:00:02Z", "5,4")]
    [InlineData("?per_page=2&page=2", "3,2")]
    [InlineData("?per_page=0", "5")]
    [InlineData("?page=0&per_page=1", "5")]
    [InlineData("?page=9223372036854775807&per_page=2", "")]
    public async Task Jobs_list_filters_and_pages_newest_first(string query, string jobs) =>
        Assert.Equal(jobs, await ListAsync("/jobs/list" + query));

    [Fact]
    public async Task Jobs_list_filters_by_parent() =>
        Assert.Equal("3", await ListAsync($"/jobs/list?parent_job={fixture.Jobs[0]}"));

    [Theory]
    [InlineData("/jobs/completed/list", "3,2,1")]
    [InlineData("/jobs/completed/list?order_desc=false", "1,2,3")]
    [InlineData("/jobs/completed/list?success=false", "2")]
    [InlineData("/jobs/completed/list?running=true", "")]
    [InlineData("/jobs/queue/list", "5,4")]
    [InlineData("/jobs/queue/list?running=true", "5")]
    [InlineData("/jobs/queue/list?order_desc=false", "4,5")]
    [InlineData("/jobs/queue/list?scheduled_for_before_now=true", "5")]
    [InlineData("/jobs/queue/list?success=true", "")]
    public async Task Completed_and_queue_lists_hold_only_their_jobs(string route, string jobs) =>
        Assert.Equal(jobs, await ListAsync(route));

    [Fact]
    public async Task Success_and_running_together_are_a_bad_request() =>
        await Wire.AssertAsync(await Client.GetAsync($"{SampleApp.Api}/jobs/list?success=true&running=true"), HttpStatusCode.BadRequest, Wire.Text,
            "Bad request: cannot specify both success and running");

    [Fact]
    public async Task Malformed_filter_is_a_bad_request() =>
        await Wire.AssertAsync(await Client.GetAsync($"{SampleApp.Api}/jobs/list?per_page=many"), HttpStatusCode.BadRequest, Wire.Text,
            "Failed to deserialize query string: per_page: invalid digit found in string: many");

    [Fact]
    public async Task Lists_need_a_token()
    {
        using var anonymous = fixture.App.CreateAnonymousClient();

        await Wire.AssertUnauthorizedAsync(await anonymous.GetAsync($"{SampleApp.Api}/jobs/list"));
    }

    [Fact]
    public async Task List_items_leave_out_result_and_logs_and_show_args_only_when_asked()
    {
        var first = fixture.Jobs[0];
        var hash = (await fixture.App.Runner.GetAsync(SampleApp.Workspace, first, CancellationToken.None))!.Runnable.Hash;
        const string times = "\"created_at\":\"2025-01-31T10:00:00.000000Z\",\"started_at\":\"2025-01-31T10:00:00.000000Z\",\"completed_at\":\"2025-01-31T10:00:00.000000Z\"";
        var expected = $$"""{"type":"CompletedJob","workspace_id":"demo","id":"{{first}}","created_by":"admin",{{times}},"duration_ms":0,"success":true,"script_path":"u/bot/echo","script_hash":"{{hash}}",ARGS"deleted":false,"canceled":false,"job_kind":"script","permissioned_as":"u/admin","is_flow_step":false,"language":"csharp","is_skipped":false,"email":"admin","visible_to_owner":true,"tag":"default","trigger_kind":"webhook"}""";

        using var plain = await Client.GetAsync($"{SampleApp.Api}/jobs/completed/list?script_path_exact=u/bot/echo&order_desc=false&per_page=1");
        using var withArgs = await Client.GetAsync($"{SampleApp.Api}/jobs/completed/list?script_path_exact=u/bot/echo&order_desc=false&per_page=1&include_args=true");

        await Wire.AssertAsync(plain, HttpStatusCode.OK, Wire.Json, "[" + expected.Replace("ARGS", "", StringComparison.Ordinal) + "]");
        await Wire.AssertAsync(withArgs, HttpStatusCode.OK, Wire.Json, "[" + expected.Replace("ARGS", "\"args\":{\"n\":1},", StringComparison.Ordinal) + "]");
    }

    [Fact]
    public async Task Completed_get_is_the_completed_job_and_404_before_completion()
    {
        var (done, queued) = (fixture.Jobs[0], fixture.Jobs[3]);
        using var full = await Client.GetAsync($"{SampleApp.Api}/jobs_u/get/{done}");

        await Wire.AssertAsync(await Client.GetAsync($"{SampleApp.Api}/jobs_u/completed/get/{done}"), HttpStatusCode.OK, Wire.Json,
            await full.Content.ReadAsStringAsync());
        await Wire.AssertAsync(await Client.GetAsync($"{SampleApp.Api}/jobs_u/completed/get/{queued}"), HttpStatusCode.NotFound, Wire.Text,
            $"Not found: Completed job {queued} not found");
    }

    [Fact]
    public async Task Get_timing_gives_creation_start_and_duration() =>
        await Wire.AssertAsync(await Client.GetAsync($"{SampleApp.Api}/jobs_u/completed/get_timing/{fixture.Jobs[1]}"), HttpStatusCode.OK, Wire.Json,
            """{"created_at":"2025-01-31T10:00:01.000000Z","started_at":"2025-01-31T10:00:01.000000Z","duration_ms":0}""");

    [Theory]
    [InlineData(0, "", """{"running":false,"completed":true,"new_logs":"","log_offset":0}""")]
    [InlineData(0, "?no_logs=true", """{"running":false,"completed":true}""")]
    [InlineData(4, "", """{"running":true,"completed":false,"new_logs":"","log_offset":0}""")]
    [InlineData(4, "?running=true&log_offset=5", """{"completed":false,"new_logs":"","log_offset":0}""")]
    [InlineData(3, "", """{"completed":false,"new_logs":"","log_offset":0}""")]
    public async Task Getupdate_tells_what_changed(int job, string query, string body) =>
        await Wire.AssertAsync(await Client.GetAsync($"{SampleApp.Api}/jobs_u/getupdate/{fixture.Jobs[job]}{query}"), HttpStatusCode.OK, Wire.Json, body);

    [Theory]
    [InlineData("/jobs_u/getupdate/")]
    [InlineData("/jobs_u/completed/get/")]
    [InlineData("/jobs_u/completed/get_timing/")]
    public async Task By_id_routes_answer_404_for_an_unknown_job_and_400_without_a_token(string route)
    {
        var unknown = Guid.CreateVersion7();
        using var anonymous = fixture.App.CreateAnonymousClient();

        await Wire.AssertAsync(await Client.GetAsync(SampleApp.Api + route + unknown), HttpStatusCode.NotFound, Wire.Text, $"Not found: Job {unknown} not found");
        await Wire.AssertAsync(await anonymous.GetAsync(SampleApp.Api + route + unknown), HttpStatusCode.BadRequest, Wire.Text,
            "Bad request: As a non logged in user, you can only see jobs ran by anonymous users");
    }

    private async Task<string> ListAsync(string route)
    {
        using var response = await Client.GetAsync(SampleApp.Api + route);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal((HttpStatusCode.OK, Wire.Json), (response.StatusCode, Wire.ContentType(response)));
        var ids = JsonDocument.Parse(body).RootElement.EnumerateArray().Select(job => job.GetProperty("id").GetGuid());
        return string.Join(",", ids.Select(id => Array.IndexOf(fixture.Jobs, id) + 1));
    }
}

/// <summary>Cancelling by force, and HEAD on the run routes.</summary>
public sealed class JobControlTests : IAsyncLifetime
{
    private readonly SampleApp _app = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task Force_cancel_stops_a_running_job_and_answers_its_id()
    {
        using var client = _app.CreateAdminClient();
        var id = Guid.CreateVersion7();
        await Wire.AssertCreatedJobAsync(await client.PostAsync($"{SampleApp.Api}/jobs/run/p/u/bot/sleep?job_id={id}", Wire.JsonBody("""{"ms":600000}""")));
        await _app.JobStarts.StartedAsync(id);

        using var response = await client.PostAsync($"{SampleApp.Api}/jobs_u/queue/force_cancel/{id}", Wire.JsonBody("""{"reason":"stuck"}"""));
        var job = await _app.WaitForCompletionAsync(id);

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Text, id.ToString());
        Assert.Equal((JobStatus.Canceled, "admin", "stuck"), (job.Status, job.CanceledBy, job.CanceledReason));
        await Wire.AssertAsync(await client.PostAsync($"{SampleApp.Api}/jobs_u/queue/force_cancel/{id}", Wire.JsonBody("{}")), HttpStatusCode.OK, Wire.Text,
            $"queued job id {id} is already completed");
    }

    [Theory]
    [InlineData("/jobs/run/p/u/bot/echo")]
    [InlineData("/jobs/run/h/0123456789abcdef")]
    [InlineData("/jobs/run_wait_result/p/u/bot/echo")]
    [InlineData("/jobs/run_wait_result/h/0123456789abcdef")]
    public async Task Head_on_every_run_route_is_200_without_a_token_and_starts_nothing(string route)
    {
        using var client = _app.CreateAnonymousClient();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, SampleApp.Api + route));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(0, await _app.CountJobsAsync());
    }
}
