using System.Net;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>
/// Job time limits: the instance's <c>JobTimeout</c>, a script's own <c>Timeout</c> and a run's <c>timeout</c> option, the
/// shortest winning; a job past its limit fails with Windmill's timeout error, and frees its worker even when its code
/// ignores the cancellation. Every limit is a <c>TimeProvider</c> timer, moved by a fake clock.
/// </summary>
public sealed class JobTimeoutTests
{
    private const string InstanceLimitError =
        """{"error":{"name":"ExecutionErr","message":"job process terminated due to timeout after exceeding instance-wide job duration limit"}}""";

    private const string JobLimitError =
        """{"error":{"name":"ExecutionErr","message":"job process terminated due to timeout after exceeding job-specific duration limit"}}""";

    [Fact]
    public async Task The_samples_sleep_is_stopped_at_the_default_instance_limit_of_15_minutes()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var id = Guid.CreateVersion7();
        await Wire.AssertCreatedJobAsync(await client.PostAsync($"{SampleApp.Api}/jobs/run/p/u/bot/sleep?job_id={id}",
            Wire.JsonBody("""{"ms":2147483647}""")));
        await app.JobStarts.StartedAsync(id);

        app.Time.Advance(TimeSpan.FromMinutes(15) - TimeSpan.FromMilliseconds(1));
        var before = await app.Runner.GetAsync(SampleApp.Workspace, id, CancellationToken.None);
        app.Time.Advance(TimeSpan.FromMilliseconds(1));
        var completed = await app.WaitForCompletionAsync(id);
        using var result = await client.GetAsync($"{SampleApp.Api}/jobs_u/completed/get_result/{id}");

        Assert.Equal(JobStatus.Running, before?.Status);
        Assert.Equal(JobStatus.Failure, completed.Status);
        await Wire.AssertAsync(result, HttpStatusCode.OK, Wire.Json, InstanceLimitError);
    }

    [Theory]
    [InlineData("u/test/limited", null, 10, JobLimitError)] // the script's own 10 s
    [InlineData("u/test/block", 3, 3, JobLimitError)] // the run's own limit
    [InlineData("u/test/limited", 3, 3, JobLimitError)] // shorter than the script's 10 s
    [InlineData("u/test/limited", 60, 10, JobLimitError)] // the script's 10 s still win over a longer run limit
    [InlineData("u/test/block", 3600, 20, InstanceLimitError)] // the instance's 20 s win over a longer run limit
    public async Task The_shortest_of_the_instance_script_and_run_limits_fails_a_sync_run_with_windmills_timeout_error(string script, int? timeout,
        int expectedSeconds, string error)
    {
        await using var host = await BlockingScriptHost.StartAsync(options => options.JobTimeout = TimeSpan.FromSeconds(20));
        var id = Guid.CreateVersion7();
        var option = timeout is { } seconds ? $"&timeout={seconds}" : "";
        var call = host.Client.PostAsync($"{BlockingScriptHost.Api}/jobs/run_wait_result/p/{script}?job_id={id}{option}", Wire.JsonBody("{}"));
        await host.JobStarts.StartedAsync(id);

        host.Time.Advance(TimeSpan.FromSeconds(expectedSeconds) - TimeSpan.FromMilliseconds(1));
        var before = await host.Runner.GetAsync("demo", id, CancellationToken.None);
        host.Time.Advance(TimeSpan.FromMilliseconds(1));
        using var response = await call.Within();

        Assert.Equal(JobStatus.Running, before?.Status);
        await Wire.AssertAsync(response, HttpStatusCode.UnprocessableEntity, Wire.Json, error);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public async Task A_timeout_option_that_is_not_a_positive_number_of_seconds_is_a_bad_request_and_writes_nothing(string timeout)
    {
        await using var host = await BlockingScriptHost.StartAsync();

        using var response = await host.Client.PostAsync($"{BlockingScriptHost.Api}/jobs/run/p/u/test/echo?timeout={timeout}", Wire.JsonBody("{}"));

        await Wire.AssertAsync(response, HttpStatusCode.BadRequest, Wire.Text,
            $"Failed to deserialize query string: timeout: must be a positive number of seconds: {timeout}");
        Assert.Equal(0, await host.CountJobsAsync());
    }

    [Fact]
    public async Task Code_that_ignores_its_cancellation_fails_at_its_limit_and_frees_its_worker_after_the_grace()
    {
        await using var host = await BlockingScriptHost.StartAsync(options =>
        {
            options.WorkerCount = 1;
            options.JobTimeout = TimeSpan.FromSeconds(20);
        });
        var stubborn = Guid.CreateVersion7();
        await Wire.AssertCreatedJobAsync(await host.Client.PostAsync($"{BlockingScriptHost.Api}/jobs/run/p/u/test/stubborn?job_id={stubborn}", Wire.JsonBody("{}")));
        await host.JobStarts.StartedAsync(stubborn);
        var next = host.Client.PostAsync($"{BlockingScriptHost.Api}/jobs/run_wait_result/p/u/test/echo", Wire.JsonBody("""{"after":"stubborn"}"""));

        host.Time.Advance(TimeSpan.FromSeconds(20));
        await host.Time.TimerCreated; // the stopped code's grace has begun
        var waitingBehind = next.IsCompleted;
        host.Time.Advance(BlockingScriptHost.LocalJobStopGrace);
        using var answer = await next.Within();
        var failed = await host.WaitForCompletionAsync(stubborn);

        Assert.False(waitingBehind);
        await Wire.AssertAsync(answer, HttpStatusCode.OK, Wire.Json, """{"after":"stubborn"}""");
        Assert.Equal((JobStatus.Failure, InstanceLimitError), (failed.Status, failed.Result?.GetRawText()));
    }
}
