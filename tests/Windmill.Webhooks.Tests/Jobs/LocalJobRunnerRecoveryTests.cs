using System.Text.Json;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Specification.Tests;
using Windmill.Webhooks.Storage.Sqlite;
using Windmill.Webhooks.Tests.Storage;

namespace Windmill.Webhooks.Tests.Jobs;

/// <summary>What happens to jobs when the process stops and starts again on the same SQLite file.</summary>
public sealed class LocalJobRunnerRecoveryTests : IAsyncLifetime
{
    private readonly TemporaryDatabase _file = new();
    private readonly ScriptedExecutor _executor = new();

    [Fact]
    public async Task Jobs_queued_before_a_stop_run_after_the_restart()
    {
        var before = _file.Open();
        var job = await new SqliteJobStore(before).InsertAndReturnAsync(Job(ScriptedExecutor.Succeed("later")));
        await before.DisposeAsync();

        await using var runner = await StartRunnerAsync();
        var completed = await runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None);

        Assert.Equal(JobStatus.Success, completed?.Status);
        Assert.Equal("\"later\"", completed?.Result?.GetRawText());
    }

    [Fact]
    public async Task A_job_running_when_the_process_died_is_run_again_and_counted()
    {
        var before = _file.Open();
        var store = new SqliteJobStore(before);
        var job = await store.InsertAndReturnAsync(Job(ScriptedExecutor.Succeed("again")));
        await store.MarkRunningAsync(job.Id, DateTimeOffset.UtcNow, CancellationToken.None);
        await before.DisposeAsync(); // no completion: the process "died" mid-run

        await using var runner = await StartRunnerAsync();
        var completed = await runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None);

        Assert.Equal(JobStatus.Success, completed?.Status);
        Assert.Equal(1, completed?.RestartCount);
    }

    [Fact]
    public async Task A_job_that_keeps_dying_fails_after_the_restart_limit()
    {
        var job = Job(ScriptedExecutor.Succeed("never"));
        for (var crash = 0; crash <= 3; crash++)
        {
            var database = _file.Open();
            var store = new SqliteJobStore(database);
            if (crash == 0)
            {
                await store.InsertAsync(job, CancellationToken.None);
            }

            await store.RecoverAsync(maxRestarts: 3, DateTimeOffset.UtcNow, CancellationToken.None);
            await store.MarkRunningAsync(job.Id, DateTimeOffset.UtcNow, CancellationToken.None);
            await database.DisposeAsync();
        }

        await using var runner = await StartRunnerAsync();
        var failed = await runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None);

        Assert.Equal(JobStatus.Failure, failed?.Status);
        Assert.Equal("RestartLimitReached", failed?.Result?.GetProperty("error").GetProperty("name").GetString());
        Assert.Equal(0, _executor.Executions(job.Id));
    }

    [Fact]
    public async Task Completed_jobs_and_their_results_survive_a_restart()
    {
        Guid id;
        await using (var runner = await StartRunnerAsync())
        {
            id = (await runner.EnqueueAsync(new NewJob
            {
                Workspace = "demo",
                ScriptPath = "u/bot/hello",
                ScriptHash = new ScriptHash(1),
                Args = ScriptedExecutor.Succeed(new[] { 1, 2 }),
                CreatedBy = "alice",
                PermissionedAs = "u/alice",
            }, CancellationToken.None)).Id;
            await runner.WaitForCompletionAsync("demo", id, CancellationToken.None);
        }

        await using var restarted = await StartRunnerAsync();
        var job = await restarted.GetAsync("demo", id, CancellationToken.None);

        Assert.Equal(JobStatus.Success, job?.Status);
        Assert.Equal("[1,2]", job?.Result?.GetRawText());
        Assert.Equal(1, _executor.Executions(id));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _file.DisposeAsync().AsTask();

    private async Task<LocalJobRunner> StartRunnerAsync()
    {
        var runner = LocalRunners.Create(new SqliteJobStore(_file.Open()), _executor);
        await runner.StartAsync(CancellationToken.None);
        return runner;
    }

    private static Job Job(JsonElement args) => new()
    {
        Id = Guid.CreateVersion7(),
        Workspace = "demo",
        ScriptPath = "u/bot/hello",
        ScriptHash = new ScriptHash(1),
        Args = args,
        CreatedBy = "alice",
        PermissionedAs = "u/alice",
        CreatedAt = DateTimeOffset.UtcNow,
        ScheduledFor = DateTimeOffset.UtcNow,
    };
}

internal static class JobStoreExtensions
{
    public static async Task<Job> InsertAndReturnAsync(this IJobStore store, Job job)
    {
        await store.InsertAsync(job, CancellationToken.None);
        return job;
    }
}
