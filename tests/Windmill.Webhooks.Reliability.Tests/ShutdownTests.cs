using Microsoft.Extensions.DependencyInjection;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Reliability.Tests.Infrastructure;

namespace Windmill.Webhooks.Reliability.Tests;

/// <summary>
/// Graceful shutdown (SIGTERM): sync callers get an answer that names their job, running jobs get the grace
/// period to finish, and jobs still running after it go back to the queue and run after the restart.
/// </summary>
public sealed class ShutdownTests
{
    private const string GateRun = ReliabilityApp.Api + "/jobs/run/p/" + ScriptGate.Path;
    private const string GateRunWait = ReliabilityApp.Api + "/jobs/run_wait_result/p/" + ScriptGate.Path;
    private static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_sync_caller_still_waiting_at_shutdown_gets_503_naming_its_job()
    {
        using var database = new DatabaseFile();
        var time = new GraceTimerSignal(DefaultGracePeriod);
        await using var app = new ReliabilityApp(database, time: time);
        using var client = app.CreateAdminClient();
        var waiting = client.PostAsync(GateRunWait, Wire.JsonBody("""{"n":7}"""));
        await app.Gate.StartedAsync(1).WaitAsync(Answers.Limit);

        app.SignalStop();
        using var response = await waiting.WaitAsync(Answers.Limit);

        var jobId = Assert.Single(response.Headers.GetValues("x-windmill-job-id"));
        Assert.Equal((503, Wire.Text, $"Service unavailable: shutting down; job {jobId} continues after restart"), await Answers.ReadAsync(response));
        Assert.Equal(("running", 0L), database.JobState(Guid.Parse(jobId)));
        app.Gate.Open(); // lets the host stop within its grace period
    }

    [Fact]
    public async Task A_job_running_at_shutdown_finishes_within_the_grace_period()
    {
        using var database = new DatabaseFile();
        var time = new GraceTimerSignal(DefaultGracePeriod);
        var app = new ReliabilityApp(database, time: time);
        using var client = app.CreateAdminClient();
        var jobId = await StartGateJobAsync(client, app);

        var stopping = app.DisposeAsync().AsTask();
        await time.GraceStarted.WaitAsync(Answers.Limit);
        Assert.False(stopping.IsCompleted, "the host stopped before the running job finished");
        app.Gate.Open();
        await stopping.WaitAsync(Answers.Limit);

        Assert.Equal(("success", 0L), database.JobState(jobId));
    }

    [Fact]
    public async Task A_job_still_running_after_the_grace_period_is_requeued_and_runs_after_the_restart()
    {
        using var database = new DatabaseFile();
        var time = new GraceTimerSignal(DefaultGracePeriod);
        var first = new ReliabilityApp(database, time: time);
        using (var client = first.CreateAdminClient())
        {
            var jobId = await StartGateJobAsync(client, first);

            var stopping = first.DisposeAsync().AsTask();
            await time.GraceStarted.WaitAsync(Answers.Limit);
            time.Advance(DefaultGracePeriod);
            await stopping.WaitAsync(Answers.Limit);
            Assert.Equal(("queued", 0L), database.JobState(jobId));

            await using var second = new ReliabilityApp(database);
            second.Gate.Open();
            using var secondClient = second.CreateAdminClient(); // starts the host, which resumes the queue
            var completed = await second.Services.GetRequiredService<IJobRunner>()
                .WaitForCompletionAsync("demo", jobId, CancellationToken.None).AsTask().WaitAsync(Answers.Limit);

            Assert.Equal((JobStatus.Success, "7"), (completed!.Status, completed.Result?.GetRawText()));
            Assert.Equal(("success", 0L), database.JobState(jobId));
        }
    }

    private static async Task<Guid> StartGateJobAsync(HttpClient client, ReliabilityApp app)
    {
        using var response = await client.PostAsync(GateRun, Wire.JsonBody("""{"n":7}"""));
        var (status, contentType, body) = await Answers.ReadAsync(response);
        Assert.Equal((201, Wire.Text), (status, contentType));
        await app.Gate.StartedAsync(1).WaitAsync(Answers.Limit);
        return Guid.Parse(body);
    }
}
