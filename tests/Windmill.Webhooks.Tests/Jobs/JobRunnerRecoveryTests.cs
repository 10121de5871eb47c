using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Specification.Tests;
using Windmill.Webhooks.Storage.Sqlite;
using Windmill.Webhooks.Tests.Storage;

namespace Windmill.Webhooks.Tests.Jobs;

/// <summary>What happens to jobs when the process stops and starts again on the same SQLite file.</summary>
public sealed class JobRunnerRecoveryTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = new WindmillWebhooksOptions().JobLeaseDuration;
    private readonly TemporaryDatabase _file = new();
    private readonly ScriptedExecutor _executor = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 1, 31, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Jobs_queued_before_a_stop_run_after_the_restart()
    {
        var before = _file.Open();
        var job = Job(ScriptedExecutor.Succeed("later"));
        await new SqliteJobStore(before).EnqueueAsync(job, lease: null, audit: null, CancellationToken.None);
        await before.DisposeAsync();

        await using var runner = await StartRunnerAsync();
        var completed = await runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None);

        Assert.Equal(JobStatus.Success, completed?.Status);
        Assert.Equal("\"later\"", completed?.Result?.GetRawText());
    }

    [Fact]
    public async Task A_job_running_when_the_process_died_runs_again_once_its_lease_expired_and_is_counted()
    {
        var before = _file.Open();
        var job = Job(ScriptedExecutor.Succeed("again"));
        await new SqliteJobStore(before).EnqueueAsync(job, new JobLease("dead-process", _clock.GetUtcNow() + Lease), null, CancellationToken.None);
        await before.DisposeAsync(); // no completion: the process "died" mid-run

        await using var runner = await StartRunnerAsync();
        var wait = runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None).AsTask();
        _clock.Advance(Lease - TimeSpan.FromSeconds(1));
        var ranWhileLeased = _executor.Executions(job.Id);
        _clock.Advance(TimeSpan.FromSeconds(2));
        var completed = await wait;

        Assert.Equal(0, ranWhileLeased);
        Assert.Equal((JobStatus.Success, 1), (completed?.Status, completed?.RestartCount));
    }

    [Fact]
    public async Task A_job_that_keeps_dying_fails_after_the_restart_limit()
    {
        var job = Job(ScriptedExecutor.Succeed("never"));
        var error = JsonSerializer.SerializeToElement(new { error = new { name = "RestartLimitReached", message = "gone" } });
        for (var crash = 0; crash <= 3; crash++)
        {
            var database = _file.Open();
            var store = new SqliteJobStore(database);
            var lease = new JobLease($"process-{crash}", _clock.GetUtcNow() + Lease);
            if (crash == 0)
            {
                await store.EnqueueAsync(job, lease, null, CancellationToken.None);
            }
            else
            {
                Assert.Single(await store.ClaimAsync(lease, 10, _clock.GetUtcNow(), CancellationToken.None));
            }

            await database.DisposeAsync(); // died holding it
            _clock.Advance(Lease + TimeSpan.FromSeconds(1));
            if (crash < 3)
            {
                var reclaiming = _file.Open();
                Assert.Equal(1, (await new SqliteJobStore(reclaiming).ReclaimExpiredAsync(_clock.GetUtcNow(), 3, error, CancellationToken.None)).Requeued);
                await reclaiming.DisposeAsync();
            }
        }

        await using var runner = await StartRunnerAsync();
        var wait = runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None).AsTask();
        _clock.Advance(TimeSpan.FromSeconds(1));
        var failed = await wait;

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
                Runnable = new(JobKind.Script, "u/bot/hello", new ScriptHash(1)),
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

    [Fact]
    public async Task An_executor_that_throws_fails_its_job_instead_of_leaving_it_running()
    {
        await using var runner = Runners.Create(new SqliteJobStore(_file.Open()), new ThrowingExecutor(), _clock);
        await runner.StartAsync(CancellationToken.None);

        var job = await runner.EnqueueAsync(new NewJob
        {
            Workspace = "demo",
            Runnable = new(JobKind.Script, "u/bot/broken", new ScriptHash(1)),
            Args = ScriptedExecutor.Succeed(1),
            CreatedBy = "alice",
            PermissionedAs = "u/alice",
        }, CancellationToken.None);
        var failed = await runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None);

        Assert.Equal(JobStatus.Failure, failed?.Status);
        Assert.Equal("InvalidOperationException", failed?.Result?.GetProperty("error").GetProperty("name").GetString());
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _executor.Release();
        return _file.DisposeAsync();
    }

    private async Task<JobRunner> StartRunnerAsync()
    {
        var runner = Runners.Create(new SqliteJobStore(_file.Open()), _executor, _clock);
        await runner.StartAsync(CancellationToken.None);
        return runner;
    }

    private Job Job(JsonElement args) => new()
    {
        Id = Guid.CreateVersion7(),
        Workspace = "demo",
        Runnable = new(JobKind.Script, "u/bot/hello", new ScriptHash(1)),
        Args = args,
        CreatedBy = "alice",
        PermissionedAs = "u/alice",
        CreatedAt = _clock.GetUtcNow(),
        ScheduledFor = _clock.GetUtcNow(),
        StartedAt = _clock.GetUtcNow(),
    };

    private sealed class ThrowingExecutor : IJobExecutor
    {
        public bool CanExecute(Job job) => true;

        public ValueTask<JobOutcome> ExecuteAsync(Job job, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the executor itself is broken");
    }
}
