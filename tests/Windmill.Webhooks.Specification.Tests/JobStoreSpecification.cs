using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Storage.InMemory;
using Xunit;

namespace Windmill.Webhooks.Specification.Tests;

/// <summary>
/// What every <see cref="IJobStore"/> must do, shown through <see cref="JobRunner"/>s that share it, as
/// processes share one database. Inherit it and implement <see cref="CreateStoreAsync"/>, returning an empty
/// store; every fact runs two or more runners on it, on a fake clock that moves only when a fact advances it.
/// Runners given different notifiers behave as separate processes: they learn of each other's changes at
/// their heartbeat only.
/// </summary>
public abstract class JobStoreSpecification : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(1);
    private readonly List<JobRunner> _runners = [];
    private readonly List<StallableJobStore> _stallable = [];
    private readonly List<ScriptedExecutor> _executors = [];
    private IJobStore? _store;
    private IAuditSink? _audit;

    /// <summary>The clock of every runner; it starts at 2025-01-31T10:00:00Z.</summary>
    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2025, 1, 31, 10, 0, 0, TimeSpan.Zero));

    /// <summary>Creates an empty store. Called once per fact; every runner of the fact shares it.</summary>
    protected abstract Task<IJobStore> CreateStoreAsync();

    /// <summary>The audit sink the runners write trigger entries to; the store's own when it keeps one (override to return it).</summary>
    protected virtual IAuditSink CreateAuditSink(IJobStore store) => new InMemoryAuditSink();

    /// <summary>Releases the storage after the runners are disposed.</summary>
    protected virtual Task DisposeStoreAsync() => Task.CompletedTask;

    [Fact]
    public async Task Each_job_runs_once_when_two_runners_share_the_store()
    {
        var notifier = new InProcessJobNotifier();
        var (a, ranByA) = await StartAsync(notifier, workers: 3);
        var (b, ranByB) = await StartAsync(notifier, workers: 3);

        var jobs = await Task.WhenAll(Enumerable.Range(0, 120).Select(i =>
            (i % 2 == 0 ? a : b).EnqueueAsync(Request(ScriptedExecutor.Succeed(i)), CancellationToken.None).AsTask()));
        var completed = await Task.WhenAll(jobs.Select(j => a.WaitForCompletionAsync("demo", j.Id, CancellationToken.None).AsTask()));

        Assert.All(completed, job => Assert.Equal(JobStatus.Success, job?.Status));
        Assert.All(jobs, job => Assert.Equal(1, ranByA.Executions(job.Id) + ranByB.Executions(job.Id)));
        Assert.All(completed, job => Assert.Equal(0, job!.RestartCount));
    }

    [Fact]
    public async Task A_job_enqueued_where_no_worker_runs_is_run_by_another_process_and_the_wait_there_ends()
    {
        var (server, _) = await StartAsync(new InProcessJobNotifier(), workers: 0);
        var (worker, ranByWorker) = await StartAsync(new InProcessJobNotifier(), workers: 2);

        var job = await server.EnqueueAsync(Request(ScriptedExecutor.Succeed("elsewhere")), CancellationToken.None);
        var wait = server.WaitForCompletionAsync("demo", job.Id, CancellationToken.None).AsTask();
        Clock.Advance(Heartbeat); // the worker looks for jobs queued by others (if it did not claim it as it started)
        await worker.WaitForCompletionAsync("demo", job.Id, CancellationToken.None);
        Clock.Advance(Heartbeat); // the server looks for the completions of the jobs it waits for

        Assert.Equal(("\"elsewhere\"", 1), ((await wait)?.Result?.GetRawText(), ranByWorker.Executions(job.Id)));
    }

    [Fact]
    public async Task A_job_keeps_the_trace_context_it_was_enqueued_in()
    {
        var (server, _) = await StartAsync(new InProcessJobNotifier(), workers: 0);
        using var request = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();

        var job = await server.EnqueueAsync(Request(ScriptedExecutor.Succeed(1)), CancellationToken.None);
        request.Stop();
        var read = await server.GetAsync("demo", job.Id, CancellationToken.None);

        // The request's own span, or the runner's enqueue span inside it when a host listens to Windmill.Webhooks.
        Assert.Equal(request.TraceId, ActivityContext.Parse(job.TraceParent!, null).TraceId);
        Assert.Equal(job.TraceParent, read?.TraceParent);
    }

    [Fact]
    public async Task A_wait_in_one_runner_ends_at_once_when_another_runner_of_the_process_completes_the_job()
    {
        var notifier = new InProcessJobNotifier();
        var (server, _) = await StartAsync(notifier, workers: 0);
        var (worker, ranByWorker) = await StartAsync(notifier, workers: 1);

        var job = await server.EnqueueAsync(Request(ScriptedExecutor.Block()), CancellationToken.None);
        await ranByWorker.WhenStarted(job.Id);
        var wait = server.WaitForCompletionAsync("demo", job.Id, CancellationToken.None).AsTask();
        ranByWorker.Release();

        Assert.Equal("\"released\"", (await wait)?.Result?.GetRawText());
        Assert.Equal(JobStatus.Success, (await worker.GetAsync("demo", job.Id, CancellationToken.None))?.Status);
    }

    [Fact]
    public async Task A_dead_runners_job_is_reclaimed_after_its_lease_and_runs_elsewhere()
    {
        var (dying, ranByDying, stall) = await StartStallableAsync(new InProcessJobNotifier());
        var job = await dying.EnqueueAsync(Request(ScriptedExecutor.Block()), CancellationToken.None);
        await ranByDying.WhenStarted(job.Id);
        var (survivor, ranBySurvivor) = await StartAsync(new InProcessJobNotifier(), workers: 2); // after: else it could claim the job first

        stall.Stall(); // the process is gone: it renews nothing and writes nothing more
        Clock.Advance(Lease - Heartbeat);
        var ranBeforeExpiry = ranBySurvivor.Executions(job.Id);
        Clock.Advance(Heartbeat + Heartbeat);
        await ranBySurvivor.WhenStarted(job.Id);
        ranBySurvivor.Release();
        var completed = await survivor.WaitForCompletionAsync("demo", job.Id, CancellationToken.None);

        Assert.Equal(0, ranBeforeExpiry);
        Assert.Equal((JobStatus.Success, 1, 1), (completed?.Status, completed?.RestartCount, ranBySurvivor.Executions(job.Id)));
    }

    [Fact]
    public async Task A_cancel_in_one_process_stops_the_job_running_in_another_at_its_next_heartbeat()
    {
        var (canceler, _) = await StartAsync(new InProcessJobNotifier(), workers: 0);
        var (worker, ranByWorker) = await StartAsync(new InProcessJobNotifier(), workers: 1);
        var job = await worker.EnqueueAsync(Request(ScriptedExecutor.Block()), CancellationToken.None);
        await ranByWorker.WhenStarted(job.Id);
        var workerWait = worker.WaitForCompletionAsync("demo", job.Id, CancellationToken.None).AsTask();

        var outcome = await canceler.CancelAsync("demo", job.Id, "bob", "stop", audit: null, CancellationToken.None);
        var stoppedBeforeHeartbeat = ranByWorker.WhenCanceled(job.Id).IsCompleted;
        Clock.Advance(Heartbeat);
        await ranByWorker.WhenCanceled(job.Id);
        var seenByWorker = await workerWait;

        Assert.Equal((CancelOutcome.Canceled, false), (outcome, stoppedBeforeHeartbeat));
        Assert.Equal((JobStatus.Canceled, "bob", "stop"), (seenByWorker?.Status, seenByWorker?.CanceledBy, seenByWorker?.CanceledReason));
    }

    [Fact]
    public async Task A_cancel_in_one_runner_stops_the_job_running_in_another_runner_of_the_process_at_once()
    {
        var notifier = new InProcessJobNotifier();
        var (canceler, _) = await StartAsync(notifier, workers: 0);
        var (worker, ranByWorker) = await StartAsync(notifier, workers: 1);
        var job = await worker.EnqueueAsync(Request(ScriptedExecutor.Block()), CancellationToken.None);
        await ranByWorker.WhenStarted(job.Id);

        Assert.Equal(CancelOutcome.Canceled, await canceler.CancelAsync("demo", job.Id, "bob", null, audit: null, CancellationToken.None));
        await ranByWorker.WhenCanceled(job.Id);

        Assert.Equal(JobStatus.Canceled, (await worker.WaitForCompletionAsync("demo", job.Id, CancellationToken.None))?.Status);
    }

    [Fact]
    public async Task The_restart_limit_holds_for_a_job_whose_runners_keep_dying()
    {
        const int maxRestarts = 2;
        var notifier = new InProcessJobNotifier(); // one process whose runners die one after the other
        var (reclaimer, _) = await StartAsync(notifier, workers: 0, maxRestarts);
        var job = await reclaimer.EnqueueAsync(Request(ScriptedExecutor.Block()), CancellationToken.None);
        var wait = reclaimer.WaitForCompletionAsync("demo", job.Id, CancellationToken.None).AsTask();
        var runs = 0;
        for (var life = 0; life <= maxRestarts; life++)
        {
            var (_, executor, stall) = await StartStallableAsync(notifier, maxRestarts);
            await executor.WhenStarted(job.Id); // it claims the queued job when it starts
            runs += executor.Executions(job.Id);
            stall.Stall();
            Clock.Advance(Lease + Heartbeat);
        }

        var failed = await wait;

        Assert.Equal(maxRestarts + 1, runs);
        Assert.Equal(JobStatus.Failure, failed?.Status);
        Assert.Equal("RestartLimitReached", failed?.Result?.GetProperty("error").GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_graceful_stop_gives_running_jobs_back_at_once_without_counting_a_restart()
    {
        var notifier = new InProcessJobNotifier();
        var (stopping, ranByStopping) = await StartAsync(notifier, workers: 1);
        var job = await stopping.EnqueueAsync(Request(ScriptedExecutor.Block()), CancellationToken.None);
        await ranByStopping.WhenStarted(job.Id);
        // Started only now: a runner started before could claim the job first, when it is queued rather than handed over.
        var (other, ranByOther) = await StartAsync(notifier, workers: 1);

        var stop = stopping.StopAsync(CancellationToken.None);
        Clock.Advance(new WindmillWebhooksOptions().ShutdownGracePeriod);
        await stop;
        await ranByOther.WhenStarted(job.Id);
        ranByOther.Release();
        var completed = await other.WaitForCompletionAsync("demo", job.Id, CancellationToken.None);

        Assert.Equal((JobStatus.Success, 0), (completed?.Status, completed?.RestartCount));
    }

    [Fact]
    public async Task A_suspended_job_holds_no_worker_while_its_children_run_and_resumes_when_they_complete()
    {
        var (runner, executor) = await StartAsync(new InProcessJobNotifier(), workers: 1);

        var parent = await runner.EnqueueAsync(Request(ScriptedExecutor.Spawn(3)), CancellationToken.None);
        var completed = await runner.WaitForCompletionAsync("demo", parent.Id, CancellationToken.None);
        var children = await runner.ListAsync(new JobQuery { Workspace = "demo", ParentJob = parent.Id }, CancellationToken.None).ToListAsync();

        Assert.Equal((JobStatus.Success, "3", 2), (completed?.Status, completed?.Result?.GetRawText(), executor.Executions(parent.Id)));
        Assert.Equal(3, children.Count);
        Assert.All(children, child => Assert.Equal((JobStatus.Success, true, parent.Id), (child.Status, child.IsFlowStep, child.RootJob)));
    }

    [Fact]
    public async Task Enqueue_writes_the_trigger_audit_entry_with_the_job()
    {
        var (runner, _) = await StartAsync(new InProcessJobNotifier(), workers: 1);

        var job = await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed(1)) with { TriggeredBy = "alice" }, CancellationToken.None);
        var untriggered = await runner.EnqueueAsync(Request(ScriptedExecutor.Succeed(2)), CancellationToken.None);

        var entries = _audit is IAuditLogReader reader
            ? await reader.ListAsync(new AuditQuery { WorkspaceId = "demo" }, CancellationToken.None)
            : throw new InvalidOperationException("The audit sink of the fact must be readable.");
        var entry = Assert.Single(entries);
        Assert.Equal(("alice", "jobs.run.script", AuditActionKind.Execute, "u/alice/hello"), (entry.Username, entry.Operation, entry.ActionKind, entry.Resource));
        Assert.Equal(job.Id.ToString(), entry.Parameters?["uuid"]);
        Assert.NotEqual(untriggered.Id.ToString(), entry.Parameters?["uuid"]);
    }

    [Fact]
    public async Task A_duplicate_id_is_refused_and_writes_neither_job_nor_audit_entry()
    {
        var (runner, _) = await StartAsync(new InProcessJobNotifier(), workers: 0);
        var id = Guid.CreateVersion7();
        var first = Request(ScriptedExecutor.Succeed(1)) with { TriggeredBy = "alice", Options = new JobOptions { Id = id } };

        await runner.EnqueueAsync(first, CancellationToken.None);
        await Assert.ThrowsAsync<DuplicateJobIdException>(async () => await runner.EnqueueAsync(first, CancellationToken.None));

        var entries = await ((IAuditLogReader)_audit!).ListAsync(new AuditQuery { WorkspaceId = "demo" }, CancellationToken.None);
        Assert.Single(entries);
        Assert.Equal(1, await runner.CountAsync(new JobQuery { Workspace = "demo" }, CancellationToken.None));
    }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        _store = await CreateStoreAsync();
        _audit = CreateAuditSink(_store);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var executor in _executors)
        {
            executor.Release();
        }

        foreach (var stall in _stallable)
        {
            stall.Dispose(); // the stalled calls end, with an error
        }

        foreach (var runner in _runners)
        {
            var stop = runner.StopAsync(CancellationToken.None);
            Clock.Advance(new WindmillWebhooksOptions().ShutdownGracePeriod);
            await stop;
            await runner.DisposeAsync();
        }

        await DisposeStoreAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A job request of user alice in workspace <c>demo</c>.</summary>
    protected static NewJob Request(JsonElement args) => new()
    {
        Workspace = "demo",
        Runnable = new(JobKind.Script, "u/alice/hello", new ScriptHash(0x0a1b2c3d4e5f6789)) { Language = "test" },
        Args = args,
        CreatedBy = "alice",
        PermissionedAs = "u/alice",
        TriggerKind = "webhook",
    };

    private async Task<(JobRunner Runner, ScriptedExecutor Executor)> StartAsync(IJobNotifier notifier, int workers, int maxRestarts = 3) =>
        await StartOnAsync(_store!, notifier, workers, maxRestarts);

    private async Task<(JobRunner Runner, ScriptedExecutor Executor, StallableJobStore Stall)> StartStallableAsync(IJobNotifier notifier,
        int maxRestarts = 3)
    {
        var stallable = new StallableJobStore(_store!);
        _stallable.Add(stallable);
        var (runner, executor) = await StartOnAsync(stallable, notifier, workers: 1, maxRestarts);
        return (runner, executor, stallable);
    }

    private async Task<(JobRunner, ScriptedExecutor)> StartOnAsync(IJobStore store, IJobNotifier notifier, int workers, int maxRestarts)
    {
        var executor = new ScriptedExecutor();
        _executors.Add(executor);
        var options = new WindmillWebhooksOptions
        {
            WorkerCount = workers,
            MaxJobRestarts = maxRestarts,
            JobLeaseDuration = Lease,
            JobHeartbeatInterval = Heartbeat,
        };
        var runner = new JobRunner(store, notifier, [executor], _audit!, Clock, Options.Create(options), NullLogger<JobRunner>.Instance);
        _runners.Add(runner);
        await runner.StartAsync(CancellationToken.None);
        return (runner, executor);
    }
}
