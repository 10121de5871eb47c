using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using Xunit;

namespace Windmill.Webhooks.Specification.Tests;

/// <summary>
/// What every <see cref="IJobRunner"/> must do. Inherit it and implement <see cref="CreateRunnerAsync"/>,
/// returning a started runner over empty storage that executes jobs with the given executor and takes
/// its time from the given clock (a fake one, which the scheduling facts move on).
/// Runners that are <see cref="IAsyncDisposable"/> are disposed after each test.
/// </summary>
public abstract class JobRunnerSpecification : IAsyncLifetime
{
    private readonly List<IJobRunner> _runners = [];

    /// <summary>The executor the runner under test must use.</summary>
    protected ScriptedExecutor Executor { get; } = new();

    /// <summary>The clock the runner under test must use; it starts at 2025-01-31T10:00:00Z and moves only when a fact advances it.</summary>
    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2025, 1, 31, 10, 0, 0, TimeSpan.Zero));

    /// <summary>Creates a started runner over empty storage that executes jobs with <paramref name="executor"/> and reads <paramref name="time"/>.</summary>
    protected abstract Task<IJobRunner> CreateRunnerAsync(ScriptedExecutor executor, TimeProvider time);

    /// <summary>A new job request for the tests.</summary>
    protected static NewJob Request(JsonElement args, string path = "u/alice/hello", string createdBy = "alice", string workspace = "demo", Guid? id = null) => new()
    {
        Workspace = workspace,
        Runnable = new(JobKind.Script, path, new ScriptHash(0x0a1b2c3d4e5f6789)) { Language = "csharp" },
        Args = args,
        CreatedBy = createdBy,
        PermissionedAs = "u/" + createdBy,
        TriggerKind = "webhook",
        Options = new JobOptions { Id = id },
    };

    [Fact]
    public async Task Enqueued_job_reads_back_with_what_was_asked()
    {
        var runner = await StartAsync();

        var job = await runner.EnqueueAsync(Request(ScriptedExecutor.Block()), CancellationToken.None);
        var read = await runner.GetAsync("demo", job.Id, CancellationToken.None);

        Assert.NotNull(read);
        Assert.NotEqual(Guid.Empty, job.Id);
        Assert.Equal("demo", read.Workspace);
        Assert.Equal(new Runnable(JobKind.Script, "u/alice/hello", new ScriptHash(0x0a1b2c3d4e5f6789)) { Language = "csharp" }, read.Runnable);
        Assert.Equal(ScriptedExecutor.Block().GetRawText(), read.Args.GetRawText());
        Assert.Equal("alice", read.CreatedBy);
        Assert.Equal("u/alice", read.PermissionedAs);
        Assert.Equal("webhook", read.TriggerKind);
        Assert.Equal(job.CreatedAt, read.CreatedAt);
        Assert.False(read.IsCompleted);
        Executor.Release();
    }

    [Fact]
    public async Task Job_runs_in_the_background_and_completes_with_its_result()
    {
        var runner = await StartAsync();

        var job = await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed(new { answer = 42 })), CancellationToken.None);
        var completed = await runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None);

        Assert.NotNull(completed);
        Assert.Equal(JobStatus.Success, completed.Status);
        Assert.Equal("""{"answer":42}""", completed.Result?.GetRawText());
        Assert.NotNull(completed.StartedAt);
        Assert.NotNull(completed.CompletedAt);
        Assert.Equal(1, Executor.Executions(job.Id));
    }

    [Fact]
    public async Task Failed_execution_completes_as_failure_with_windmills_error_shape()
    {
        var runner = await StartAsync();

        var job = await runner.EnqueueAsync(Request(ScriptedExecutor.Fail("boom")), CancellationToken.None);
        var completed = await runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None);

        Assert.Equal(JobStatus.Failure, completed?.Status);
        Assert.Equal("""{"error":{"name":"Error","message":"boom"}}""", completed?.Result?.GetRawText());
    }

    [Fact]
    public async Task Explicit_id_is_used_and_a_second_job_with_it_is_refused()
    {
        var runner = await StartAsync();
        var id = Guid.CreateVersion7();

        var job = await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed(1), id: id), CancellationToken.None);
        var duplicate = await Assert.ThrowsAsync<DuplicateJobIdException>(
            async () => await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed(2), id: id), CancellationToken.None));

        Assert.Equal(id, job.Id);
        Assert.Equal(id, duplicate.Id);
        Assert.Equal("1", (await runner.WaitForCompletionAsync("demo", id, CancellationToken.None))?.Result?.GetRawText());
    }

    [Fact]
    public async Task Every_waiter_wakes_when_the_job_completes()
    {
        var runner = await StartAsync();
        var job = await runner.EnqueueAsync(Request(ScriptedExecutor.Block()), CancellationToken.None);
        await Executor.WhenStarted(job.Id);

        var first = runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None).AsTask();
        var second = runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None).AsTask();
        Assert.False(first.IsCompleted);
        Executor.Release();

        Assert.Equal("\"released\"", (await first)?.Result?.GetRawText());
        Assert.Equal("\"released\"", (await second)?.Result?.GetRawText());
    }

    [Fact]
    public async Task Waiting_on_a_completed_job_returns_at_once()
    {
        var runner = await StartAsync();
        var job = await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed("done")), CancellationToken.None);
        await runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None);

        var again = await runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None);

        Assert.Equal(JobStatus.Success, again?.Status);
    }

    [Fact]
    public async Task Abandoning_a_wait_does_not_stop_the_job()
    {
        var runner = await StartAsync();
        var job = await runner.EnqueueAsync(Request(ScriptedExecutor.Block()), CancellationToken.None);
        await Executor.WhenStarted(job.Id);
        using var abandon = new CancellationTokenSource();

        var wait = runner.WaitForCompletionAsync("demo", job.Id, abandon.Token).AsTask();
        await abandon.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        Executor.Release();

        Assert.Equal(JobStatus.Success, (await runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None))?.Status);
    }

    [Fact]
    public async Task Canceling_a_running_job_completes_it_as_canceled_and_stops_its_code()
    {
        var runner = await StartAsync();
        var job = await runner.EnqueueAsync(Request(ScriptedExecutor.Block()), CancellationToken.None);
        await Executor.WhenStarted(job.Id);
        var wait = runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None).AsTask();

        var outcome = await runner.CancelAsync("demo", job.Id, "bob", "not needed", audit: null, CancellationToken.None);
        var canceled = await wait;

        Assert.Equal(CancelOutcome.Canceled, outcome);
        Assert.Equal(JobStatus.Canceled, canceled?.Status);
        Assert.Equal("bob", canceled?.CanceledBy);
        Assert.Equal("not needed", canceled?.CanceledReason);
        Assert.Equal("Canceled", canceled?.Result?.GetProperty("error").GetProperty("name").GetString());
        Assert.Equal("Job canceled: not needed by bob", canceled?.Result?.GetProperty("error").GetProperty("message").GetString());
        await Executor.WhenCanceled(job.Id);
        Assert.Equal(CancelOutcome.AlreadyCompleted, await runner.CancelAsync("demo", job.Id, "bob", null, audit: null, CancellationToken.None));
    }

    [Fact]
    public async Task Unknown_jobs_are_null_or_not_found()
    {
        var runner = await StartAsync();
        var unknown = Guid.CreateVersion7();

        Assert.Null(await runner.GetAsync("demo", unknown, CancellationToken.None));
        Assert.Null(await runner.WaitForCompletionAsync("demo", unknown, CancellationToken.None));
        Assert.Equal(CancelOutcome.NotFound, await runner.CancelAsync("demo", unknown, "bob", null, audit: null, CancellationToken.None));
    }

    [Fact]
    public async Task Another_workspace_cannot_see_or_cancel_a_job()
    {
        var runner = await StartAsync();
        var job = await runner.EnqueueAsync(Request(ScriptedExecutor.Block()), CancellationToken.None);

        Assert.Null(await runner.GetAsync("other", job.Id, CancellationToken.None));
        Assert.Equal(CancelOutcome.NotFound, await runner.CancelAsync("other", job.Id, "mallory", null, audit: null, CancellationToken.None));
        Executor.Release();
        Assert.Equal(JobStatus.Success, (await runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None))?.Status);
    }

    [Fact]
    public async Task Many_concurrent_jobs_all_complete_once()
    {
        var runner = await StartAsync();

        var jobs = await Task.WhenAll(Enumerable.Range(0, 200)
            .Select(i => runner.EnqueueAsync(Request(ScriptedExecutor.Succeed(i)), CancellationToken.None).AsTask()));
        var completed = await Task.WhenAll(jobs.Select(j => runner.WaitForCompletionAsync("demo", j.Id, CancellationToken.None).AsTask()));

        Assert.Equal(200, jobs.Select(j => j.Id).Distinct().Count());
        Assert.All(completed, job => Assert.Equal(JobStatus.Success, job?.Status));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            completed.Select(j => j!.Result!.Value.GetRawText()));
        Assert.All(jobs, job => Assert.Equal(1, Executor.Executions(job.Id)));
    }

    [Fact]
    public async Task List_filters_by_path_creator_and_status_newest_first()
    {
        var runner = await StartAsync();
        var first = await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed(1), path: "u/alice/a"), CancellationToken.None);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed(2), path: "u/alice/b", createdBy: "bob"), CancellationToken.None);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var third = await runner.EnqueueAsync(Request(ScriptedExecutor.Fail("x"), path: "u/alice/a"), CancellationToken.None);
        await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed(4), workspace: "other"), CancellationToken.None);
        foreach (var job in new[] { first, second, third })
        {
            await runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None);
        }

        async Task<Guid[]> Ids(JobQuery query) => (await runner.ListAsync(query, CancellationToken.None).ToListAsync()).Select(j => j.Id).ToArray();

        Assert.Equal([third.Id, second.Id, first.Id], await Ids(new JobQuery { Workspace = "demo" }));
        Assert.Equal([third.Id, first.Id], await Ids(new JobQuery { Workspace = "demo", ScriptPath = "u/alice/a" }));
        Assert.Equal([second.Id], await Ids(new JobQuery { Workspace = "demo", CreatedBy = "bob" }));
        Assert.Equal([third.Id], await Ids(new JobQuery { Workspace = "demo", Statuses = [JobStatus.Failure] }));
        Assert.Equal([second.Id], await Ids(new JobQuery { Workspace = "demo", Offset = 1, Limit = 1 }));
    }

    [Fact]
    public async Task Scheduled_job_starts_at_its_time_and_not_before()
    {
        var runner = await StartAsync();
        var due = Clock.GetUtcNow().AddMinutes(1);

        var scheduled = await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed("later")) with { Options = new JobOptions { ScheduledFor = due } }, CancellationToken.None);
        var now = await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed("now")), CancellationToken.None);
        await runner.WaitForCompletionAsync("demo", now.Id, CancellationToken.None);
        Clock.Advance(TimeSpan.FromSeconds(59));
        var waiting = await runner.GetAsync("demo", scheduled.Id, CancellationToken.None);
        var executedEarly = Executor.Executions(scheduled.Id);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var completed = await runner.WaitForCompletionAsync("demo", scheduled.Id, CancellationToken.None);

        Assert.Equal((JobStatus.Queued, due, 0), (waiting?.Status, waiting?.ScheduledFor, executedEarly));
        Assert.Equal((JobStatus.Success, due, "\"later\""), (completed?.Status, completed?.StartedAt, completed?.Result?.GetRawText()));
        Assert.Equal(1, Executor.Executions(scheduled.Id));
    }

    [Fact]
    public async Task Past_schedule_runs_at_once()
    {
        var runner = await StartAsync();

        var job = await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed(1)) with { Options = new JobOptions { ScheduledFor = Clock.GetUtcNow().AddHours(-1) } }, CancellationToken.None);
        var completed = await runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None);

        Assert.Equal((JobStatus.Success, job.CreatedAt), (completed?.Status, completed?.ScheduledFor));
    }

    [Fact]
    public async Task Canceled_scheduled_job_never_runs()
    {
        var runner = await StartAsync();
        var job = await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed(1)) with { Options = new JobOptions { ScheduledFor = Clock.GetUtcNow().AddMinutes(1) } }, CancellationToken.None);

        var outcome = await runner.CancelAsync("demo", job.Id, "bob", null, audit: null, CancellationToken.None);
        Clock.Advance(TimeSpan.FromMinutes(2));
        var marker = await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed(2)), CancellationToken.None);
        await runner.WaitForCompletionAsync("demo", marker.Id, CancellationToken.None);

        Assert.Equal(CancelOutcome.Canceled, outcome);
        Assert.Equal(JobStatus.Canceled, (await runner.GetAsync("demo", job.Id, CancellationToken.None))?.Status);
        Assert.Equal(0, Executor.Executions(job.Id));
    }

    [Fact]
    public async Task Job_options_are_recorded()
    {
        var runner = await StartAsync();
        var (parent, root) = (Guid.CreateVersion7(), Guid.CreateVersion7());

        var job = await runner.EnqueueAsync(Request(ScriptedExecutor.Block()) with
        {
            Options = new JobOptions { ParentJob = parent, RootJob = root, Tag = "gpu", VisibleToOwner = false, Timeout = TimeSpan.FromSeconds(30) },
        }, CancellationToken.None);
        var read = await runner.GetAsync("demo", job.Id, CancellationToken.None);
        Executor.Release();

        Assert.Equal((parent, root, "gpu", false, TimeSpan.FromSeconds(30)), (read?.ParentJob, read?.RootJob, read?.Tag, read?.VisibleToOwner, read?.Timeout));
    }

    [Fact]
    public async Task List_filters_by_prefix_parent_kind_and_creation_time_and_counts_alike()
    {
        var runner = await StartAsync();
        var start = Clock.GetUtcNow();
        var first = await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed(1), path: "f/etl/load"), CancellationToken.None);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed(2), path: "f/etl/clean") with { Options = new JobOptions { ParentJob = first.Id } }, CancellationToken.None);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var third = await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed(3), path: "f/etlx") with { Options = new JobOptions { ScheduledFor = start.AddHours(1) } }, CancellationToken.None);
        await runner.WaitForCompletionAsync("demo", first.Id, CancellationToken.None);
        await runner.WaitForCompletionAsync("demo", second.Id, CancellationToken.None);

        async Task<Guid[]> Ids(JobQuery query) => (await runner.ListAsync(query, CancellationToken.None).ToListAsync()).Select(j => j.Id).ToArray();
        var demo = new JobQuery { Workspace = "demo" };

        Assert.Equal([second.Id, first.Id], await Ids(demo with { ScriptPathStart = "f/etl/" }));
        Assert.Equal([second.Id], await Ids(demo with { ParentJob = first.Id }));
        Assert.Equal([first.Id, second.Id, third.Id], await Ids(demo with { OldestFirst = true }));
        Assert.Equal([third.Id, second.Id, first.Id], await Ids(demo with { Kinds = [JobKind.Script] }));
        Assert.Empty(await Ids(demo with { Kinds = [] }));
        Assert.Equal([first.Id], await Ids(demo with { CreatedBefore = start.AddSeconds(1) }));
        Assert.Equal([third.Id], await Ids(demo with { CreatedAfter = start.AddSeconds(1) }));
        Assert.Equal([second.Id, first.Id], await Ids(demo with { ScheduledBefore = start.AddMinutes(1) }));
        Assert.Equal(3, await runner.CountAsync(demo with { Limit = 1 }, CancellationToken.None));
        Assert.Equal(1, await runner.CountAsync(demo with { Statuses = [JobStatus.Queued] }, CancellationToken.None));
    }

    [Fact]
    public async Task List_for_a_user_holds_only_the_jobs_they_may_see_and_counts_alike()
    {
        var runner = await StartAsync();
        var ranByAlice = await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed(1), path: "f/etl/load"), CancellationToken.None);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var ofHerScript = await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed(2), createdBy: "bob"), CancellationToken.None);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed(3), createdBy: "bob") with { Options = new JobOptions { VisibleToOwner = false } }, CancellationToken.None);
        await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed(4), path: "u/alicex/hello", createdBy: "bob"), CancellationToken.None);
        await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed(5), path: "u/bob/hello", createdBy: "bob") with { CreatedBy = "alice" }, CancellationToken.None);
        await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed(6), workspace: "other"), CancellationToken.None);

        var alice = new JobQuery { Workspace = "demo", VisibleTo = "alice" };
        var listed = await runner.ListAsync(alice, CancellationToken.None).Select(j => j.Id).ToListAsync();

        Assert.Equal([ofHerScript.Id, ranByAlice.Id], listed);
        Assert.Equal(2, await runner.CountAsync(alice, CancellationToken.None));
        Assert.Equal(5, await runner.CountAsync(alice with { VisibleTo = null }, CancellationToken.None));
    }

    [Fact]
    public async Task List_leaves_out_args_and_output_when_asked()
    {
        var runner = await StartAsync();
        var job = await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed("done")), CancellationToken.None);
        await runner.WaitForCompletionAsync("demo", job.Id, CancellationToken.None);
        var demo = new JobQuery { Workspace = "demo" };

        var whole = await runner.ListAsync(demo, CancellationToken.None).SingleAsync();
        var withoutArgs = await runner.ListAsync(demo with { IncludeArgs = false }, CancellationToken.None).SingleAsync();
        var withoutOutput = await runner.ListAsync(demo with { IncludeOutput = false }, CancellationToken.None).SingleAsync();

        Assert.Equal((ScriptedExecutor.Succeed("done").GetRawText(), "\"done\""), (whole.Args.GetRawText(), whole.Result?.GetRawText()));
        Assert.Equal(("{}", "\"done\""), (withoutArgs.Args.GetRawText(), withoutArgs.Result?.GetRawText()));
        Assert.Equal((job.Id, JobStatus.Success, ScriptedExecutor.Succeed("done").GetRawText()), (withoutOutput.Id, withoutOutput.Status, withoutOutput.Args.GetRawText()));
        Assert.Null(withoutOutput.Result);
        Assert.Null(withoutOutput.Logs);
    }

    /// <inheritdoc />
    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Executor.Release();
        foreach (var runner in _runners.OfType<IAsyncDisposable>())
        {
            await runner.DisposeAsync();
        }

        await DisposeStorageAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the storage behind the runners, after they are disposed.</summary>
    protected virtual Task DisposeStorageAsync() => Task.CompletedTask;

    private async Task<IJobRunner> StartAsync()
    {
        var runner = await CreateRunnerAsync(Executor, Clock);
        _runners.Add(runner);
        return runner;
    }
}
