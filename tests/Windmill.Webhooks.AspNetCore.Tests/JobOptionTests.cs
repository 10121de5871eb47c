using System.Net;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>Windmill's job options in the run query (docs/wire-format.md §3.1), on a fake clock.</summary>
public sealed class JobOptionTests : SampleAppTest
{
    private const string RunEcho = SampleApp.Api + "/jobs/run/p/u/bot/echo";
    [Fact]
    public async Task Job_id_chooses_the_id_and_reusing_it_is_a_bad_request()
    {
        var id = Guid.CreateVersion7();

        var created = await Wire.AssertCreatedJobAsync(await Client.PostAsync($"{RunEcho}?job_id={id}", Wire.JsonBody("{}")));
        using var again = await Client.PostAsync($"{RunEcho}?job_id={id}", Wire.JsonBody("""{"other":1}"""));

        Assert.Equal(id, created);
        await Wire.AssertAsync(again, HttpStatusCode.BadRequest, Wire.Text, $"Bad request: Job with id {id} already exists");
        Assert.Equal(1, await App.CountJobsAsync());
    }

    [Theory]
    [InlineData("job_id=42", "Failed to deserialize query string: job_id: UUID parsing failed: 42 is not a UUID")]
    [InlineData("scheduled_for=tomorrow", "Failed to deserialize query string: scheduled_for: input is not an RFC 3339 date-time with an offset: tomorrow")]
    [InlineData("scheduled_for=2025-02-01T10:00:00", "Failed to deserialize query string: scheduled_for: input is not an RFC 3339 date-time with an offset: 2025-02-01T10:00:00")]
    [InlineData("scheduled_in_secs=soon", "Failed to deserialize query string: scheduled_in_secs: invalid digit found in string: soon")]
    [InlineData("invisible_to_owner=yes", "Failed to deserialize query string: invisible_to_owner: provided string was not `true` or `false`: yes")]
    [InlineData("queue_limit=1&queue_limit=2", "Failed to deserialize query string: duplicate field `queue_limit`")]
    [InlineData("cache_ttl=99999999999", "Failed to deserialize query string: cache_ttl: number too large to fit in target type")]
    [InlineData("scheduled_for=2026/01/01 00:00:00Z", "Failed to deserialize query string: scheduled_for: input is not an RFC 3339 date-time with an offset: 2026/01/01 00:00:00Z")]
    [InlineData("scheduled_for=2026-01-01T00:00Z", "Failed to deserialize query string: scheduled_for: input is not an RFC 3339 date-time with an offset: 2026-01-01T00:00Z")]
    [InlineData("scheduled_for=%2B275760-09-13T00:00:00Z", "Failed to deserialize query string: scheduled_for: input is not an RFC 3339 date-time with an offset: +275760-09-13T00:00:00Z")]
    [InlineData("scheduled_for=9999-12-31T23:59:59-01:00", "Failed to deserialize query string: scheduled_for: input is not an RFC 3339 date-time with an offset: 9999-12-31T23:59:59-01:00")]
    [InlineData("scheduled_for=2026-02-29T00:00:00Z", "Failed to deserialize query string: scheduled_for: input is not an RFC 3339 date-time with an offset: 2026-02-29T00:00:00Z")]
    public async Task Malformed_options_are_400_in_windmills_words_and_start_nothing(string query, string message)
    {
        await Wire.AssertAsync(await Client.PostAsync($"{RunEcho}?{query}", Wire.JsonBody("{}")), HttpStatusCode.BadRequest, Wire.Text, message);
        Assert.Equal(0, await App.CountJobsAsync());
    }

    public static TheoryData<string, DateTimeOffset> EdgeSchedules => new()
    {
        { "scheduled_in_secs=99999999999", SampleApp.Start.AddSeconds(99999999999) },
        // Fraction digits past the tick are dropped; an offset up to ±23:59 is RFC 3339's, though .NET's own stop at ±14:00.
        { "scheduled_for=2025-02-01T10:00:00.123456789%2B23:59", new DateTimeOffset(2025, 1, 31, 10, 1, 0, TimeSpan.Zero).AddTicks(1_234_567) },
        { "scheduled_for=9999-12-31T23:59:59.9999999Z", DateTimeOffset.MaxValue },
    };

    [Theory]
    [MemberData(nameof(EdgeSchedules))]
    public async Task Well_formed_times_at_the_edges_are_scheduled_exactly(string query, DateTimeOffset scheduledFor)
    {
        var id = await Wire.AssertCreatedJobAsync(await Client.PostAsync($"{RunEcho}?{query}", Wire.JsonBody("{}")));

        var job = await App.Runner.GetAsync(SampleApp.Workspace, id, CancellationToken.None);
        Assert.Equal((JobStatus.Queued, scheduledFor), (job?.Status, job?.ScheduledFor));
    }

    [Fact]
    public async Task Scheduled_in_secs_starts_the_job_at_its_time_and_not_before()
    {
        var id = await Wire.AssertCreatedJobAsync(await Client.PostAsync($"{RunEcho}?scheduled_in_secs=60", Wire.JsonBody("{}")));

        App.Time.Advance(TimeSpan.FromSeconds(59));
        var waiting = await App.Runner.GetAsync(SampleApp.Workspace, id, CancellationToken.None);
        App.Time.Advance(TimeSpan.FromSeconds(1));
        var completed = await App.WaitForCompletionAsync(id);

        Assert.Equal((JobStatus.Queued, SampleApp.Start.AddSeconds(60)), (waiting?.Status, waiting?.ScheduledFor));
        Assert.Equal((JobStatus.Success, SampleApp.Start.AddSeconds(60)), (completed.Status, completed.StartedAt));
    }

    [Fact]
    public async Task Scheduled_for_wins_over_scheduled_in_secs_and_a_past_time_runs_at_once()
    {
        var later = await Wire.AssertCreatedJobAsync(
            await Client.PostAsync($"{RunEcho}?scheduled_for=2025-01-31T11:01:00%2B01:00&scheduled_in_secs=5", Wire.JsonBody("{}")));
        var past = await Wire.AssertCreatedJobAsync(await Client.PostAsync($"{RunEcho}?scheduled_for=2020-01-01T00:00:00Z", Wire.JsonBody("{}")));

        Assert.Equal(JobStatus.Success, (await App.WaitForCompletionAsync(past)).Status);
        App.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(JobStatus.Queued, (await App.Runner.GetAsync(SampleApp.Workspace, later, CancellationToken.None))?.Status);
        App.Time.Advance(TimeSpan.FromSeconds(55));
        Assert.Equal(SampleApp.Start.AddMinutes(1), (await App.WaitForCompletionAsync(later)).StartedAt);
    }

    [Fact]
    public async Task Parent_root_tag_and_visibility_are_recorded_and_shown_in_the_job_json()
    {
        var parent = Guid.CreateVersion7();
        var root = Guid.CreateVersion7();
        var id = await Wire.AssertCreatedJobAsync(await Client.PostAsync(
            $"{RunEcho}?scheduled_in_secs=60&parent_job={parent}&root_job={root}&tag=gpu&invisible_to_owner=true&skip_preprocessor=true&cache_ttl=30",
            Wire.JsonBody("""{"n":1}""")));
        var hash = (await App.Runner.GetAsync(SampleApp.Workspace, id, CancellationToken.None))!.Runnable.Hash;

        using var response = await Client.GetAsync($"{SampleApp.Api}/jobs_u/get/{id}");

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json,
            $$"""{"type":"QueuedJob","workspace_id":"demo","id":"{{id}}","parent_job":"{{parent}}","created_by":"admin","created_at":"2025-01-31T10:00:00.000000Z","scheduled_for":"2025-01-31T10:01:00.000000Z","root_job":"{{root}}","running":false,"script_path":"u/bot/echo","script_hash":"{{hash}}","args":{"n":1},"canceled":false,"job_kind":"script","permissioned_as":"u/admin","is_flow_step":false,"language":"csharp","email":"admin","visible_to_owner":false,"tag":"gpu","trigger_kind":"webhook"}""");
    }

    [Fact]
    public async Task Queue_limit_answers_429_when_more_jobs_are_queued_or_running()
    {
        var sleeper = Guid.CreateVersion7();
        await Wire.AssertCreatedJobAsync(await Client.PostAsync($"{SampleApp.Api}/jobs/run/p/u/bot/sleep?job_id={sleeper}", Wire.JsonBody("""{"ms":600000}""")));
        await App.JobStarts.StartedAsync(sleeper);
        // A job scheduled for later is not in the queue yet.
        await Wire.AssertCreatedJobAsync(await Client.PostAsync($"{RunEcho}?scheduled_in_secs=3600", Wire.JsonBody("{}")));

        using var refused = await Client.PostAsync($"{SampleApp.Api}/jobs/run_wait_result/p/u/bot/echo?queue_limit=0", Wire.JsonBody("{}"));
        using var accepted = await Client.PostAsync($"{SampleApp.Api}/jobs/run_wait_result/p/u/bot/echo?queue_limit=1", Wire.JsonBody("{}"));

        await Wire.AssertAsync(refused, HttpStatusCode.TooManyRequests, Wire.Text, "Number of queued job is too high: 1 > 0");
        await Wire.AssertAsync(accepted, HttpStatusCode.OK, Wire.Json, "{}");
        await Client.PostAsync($"{SampleApp.Api}/jobs_u/queue/cancel/{sleeper}", Wire.JsonBody("{}"));
    }

    [Fact]
    public async Task A_scheduled_job_can_be_canceled_before_its_time_and_never_runs()
    {
        var id = await Wire.AssertCreatedJobAsync(await Client.PostAsync($"{RunEcho}?scheduled_in_secs=60", Wire.JsonBody("{}")));

        await Wire.AssertAsync(await Client.PostAsync($"{SampleApp.Api}/jobs_u/queue/cancel/{id}", Wire.JsonBody("""{"reason":"changed my mind"}""")),
            HttpStatusCode.OK, Wire.Text, id.ToString());
        App.Time.Advance(TimeSpan.FromMinutes(2));
        var job = await App.WaitForCompletionAsync(id);

        Assert.Equal((JobStatus.Canceled, null), (job.Status, job.StartedAt));
    }
}
