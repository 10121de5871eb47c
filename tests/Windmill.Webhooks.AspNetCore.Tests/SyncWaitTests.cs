using System.Net;
using Windmill.Webhooks.AspNetCore.Endpoints;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>
/// The end of a synchronous wait (docs/wire-format.md §2.3): Windmill's 500 <c>timeout after Ns</c>, the job id header
/// this library adds, and no job lost to a timeout or to a caller who hangs up (unless the host asks for cancel).
/// </summary>
public sealed class SyncWaitTests
{
    [Theory]
    [InlineData(600)]
    [InlineData(30)]
    public async Task A_timed_out_wait_answers_500_timeout_with_the_job_id_and_the_job_runs_on(int seconds)
    {
        await using var host = await BlockingScriptHost.StartAsync(TimeSpan.FromSeconds(seconds));
        var call = host.Client.PostAsync(BlockingScriptHost.SyncUrl, Wire.JsonBody("{}"));
        await host.ScriptStarted;
        await host.Time.TimerCreated; // the wait's own timer exists: advancing now is what times it out

        host.Time.Advance(TimeSpan.FromSeconds(seconds));
        using var response = await call.Within();

        await Wire.AssertAsync(response, HttpStatusCode.InternalServerError, Wire.Text, $"timeout after {seconds}s");
        var id = Guid.Parse(Assert.Single(response.Headers.GetValues(WindmillHeaders.JobId)));
        var job = await host.Runner.GetAsync("demo", id, CancellationToken.None);
        Assert.Equal(JobStatus.Running, job?.Status);

        host.ReleaseScript();
        var completed = await host.WaitForCompletionAsync(id);
        Assert.Equal((JobStatus.Success, "1"), (completed.Status, completed.Result?.GetRawText()));
    }

    [Fact]
    public async Task With_CancelJobOnSyncTimeout_a_timed_out_wait_cancels_its_job()
    {
        await using var host = await BlockingScriptHost.StartAsync(TimeSpan.FromSeconds(600), cancelJobOnSyncTimeout: true);
        var call = host.Client.PostAsync(BlockingScriptHost.SyncUrl, Wire.JsonBody("{}"));
        await host.ScriptStarted;
        await host.Time.TimerCreated;

        host.Time.Advance(TimeSpan.FromSeconds(600));
        using var response = await call.Within();

        await Wire.AssertAsync(response, HttpStatusCode.InternalServerError, Wire.Text, "timeout after 600s");
        var id = Guid.Parse(Assert.Single(response.Headers.GetValues(WindmillHeaders.JobId)));
        var completed = await host.WaitForCompletionAsync(id);
        Assert.Equal(JobStatus.Canceled, completed.Status);
        Assert.Equal("Canceled", completed.Result?.GetProperty("error").GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_wait_that_ends_in_time_answers_the_result_without_the_job_id_header()
    {
        await using var host = await BlockingScriptHost.StartAsync(TimeSpan.FromSeconds(600));
        var call = host.Client.PostAsync(BlockingScriptHost.SyncUrl, Wire.JsonBody("{}"));
        await host.ScriptStarted;
        await host.Time.TimerCreated;

        host.Time.Advance(TimeSpan.FromSeconds(599));
        host.ReleaseScript();
        using var response = await call.Within();

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, "1");
        Assert.False(response.Headers.Contains(WindmillHeaders.JobId));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_caller_who_hangs_up_loses_no_job(bool cancelJobOnSyncTimeout)
    {
        await using var host = await BlockingScriptHost.StartAsync(TimeSpan.FromSeconds(600), cancelJobOnSyncTimeout);
        using var hangUp = new CancellationTokenSource();
        var call = host.Client.PostAsync(BlockingScriptHost.SyncUrl, Wire.JsonBody("{}"), hangUp.Token);
        await host.ScriptStarted;

        await hangUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.Within());
        await host.RequestFinished; // the server has seen the disconnect and is done with it

        var job = Assert.Single(await host.Runner.ListAsync(new JobQuery { Workspace = "demo" }, CancellationToken.None).ToListAsync());
        Assert.Equal(JobStatus.Running, job.Status);
        host.ReleaseScript();
        var completed = await host.WaitForCompletionAsync(job.Id);
        Assert.Equal((JobStatus.Success, "1"), (completed.Status, completed.Result?.GetRawText()));
    }
}
