using Microsoft.Extensions.Time.Testing;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Specification.Tests;
using Windmill.Webhooks.Storage.Sqlite;
using Windmill.Webhooks.Tests.Storage;

namespace Windmill.Webhooks.Tests.Jobs;

/// <summary>Scheduled starts across restarts of the process, on the SQLite store and a fake clock.</summary>
public sealed class JobRunnerSchedulingTests : IAsyncLifetime
{
    private readonly TemporaryDatabase _file = new();
    private readonly ScriptedExecutor _executor = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 1, 31, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_job_scheduled_before_a_restart_is_re_armed_and_starts_at_its_time()
    {
        Guid id;
        await using (var before = await StartRunnerAsync())
        {
            id = (await before.EnqueueAsync(Request(_clock.GetUtcNow().AddHours(1)), CancellationToken.None)).Id;
        }

        await using var after = await StartRunnerAsync();
        _clock.Advance(TimeSpan.FromMinutes(59));
        var waiting = await after.GetAsync("demo", id, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var completed = await after.WaitForCompletionAsync("demo", id, CancellationToken.None);

        Assert.Equal(JobStatus.Queued, waiting?.Status);
        Assert.Equal((JobStatus.Success, _clock.GetUtcNow()), (completed?.Status, completed?.StartedAt));
        Assert.Equal(1, _executor.Executions(id));
    }

    [Fact]
    public async Task A_schedule_beyond_one_timer_step_waits_in_steps()
    {
        await using var runner = await StartRunnerAsync();
        var due = _clock.GetUtcNow().AddDays(45);

        var job = await runner.EnqueueAsync(Request(due), CancellationToken.None);
        _clock.Advance(TimeSpan.FromDays(30));
        var midway = await runner.GetAsync("demo", job.Id, CancellationToken.None);
        _clock.Advance(TimeSpan.FromDays(15));
        var completed = await runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None);

        Assert.Equal(JobStatus.Queued, midway?.Status);
        Assert.Equal(due, completed?.StartedAt);
    }

    [Fact]
    public async Task A_job_that_came_due_while_the_process_was_down_runs_at_the_start()
    {
        Guid id;
        await using (var before = await StartRunnerAsync())
        {
            id = (await before.EnqueueAsync(Request(_clock.GetUtcNow().AddMinutes(5)), CancellationToken.None)).Id;
        }

        _clock.Advance(TimeSpan.FromHours(1));
        await using var after = await StartRunnerAsync();

        Assert.Equal(JobStatus.Success, (await after.WaitForCompletionAsync("demo", id, CancellationToken.None))?.Status);
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

    private static NewJob Request(DateTimeOffset scheduledFor) => new()
    {
        Workspace = "demo",
        Runnable = new(JobKind.Script, "u/bot/later", new ScriptHash(1)),
        Args = ScriptedExecutor.Succeed("done"),
        CreatedBy = "alice",
        PermissionedAs = "u/alice",
        Options = new JobOptions { ScheduledFor = scheduledFor },
    };
}
