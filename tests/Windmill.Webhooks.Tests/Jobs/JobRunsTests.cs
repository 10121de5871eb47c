using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Storage.InMemory;

namespace Windmill.Webhooks.Tests.Jobs;

/// <summary>
/// Runs and cancels started from code through <see cref="JobRuns"/>, as the host registers it, on the in-memory stores and a
/// fake clock. No worker runs (<c>WorkerCount = 0</c>): jobs stay queued, so what is checked is what was committed. The store
/// records the audit entry that each enqueue and cancel hands it to commit with its change.
/// </summary>
public sealed class JobRunsTests : IAsyncLifetime
{
    private static readonly Caller Alice = new("alice");
    private static readonly JsonElement NoArgs = JsonDocument.Parse("{}").RootElement;

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 1, 31, 10, 0, 0, TimeSpan.Zero));
    private readonly InMemoryAuditSink _audit = new();
    private readonly List<ServiceProvider> _hosts = [];
    private CommitRecorder _store = null!;
    private JobRuns _runs = null!;

    public async ValueTask InitializeAsync() => (_store, _runs) = await StartAsync(new InMemoryJobStore(_audit));

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_run_from_code_is_committed_with_its_jobs_run_script_audit_entry()
    {
        var job = await _runs.RunScriptAsync("demo", "u/alice/echo", JsonDocument.Parse("""{"a":1}""").RootElement, Alice, JobOptions.None,
            CancellationToken.None);

        var commit = Assert.Single(_store.Commits);
        Assert.Equal((nameof(IJobStore.EnqueueAsync), job.Id), (commit.Change, commit.JobId));
        Assert.Equal(("demo", "alice", "jobs.run.script", AuditActionKind.Execute, "u/alice/echo"),
            (commit.Audit?.WorkspaceId, commit.Audit?.Username, commit.Audit?.Operation, commit.Audit?.ActionKind, commit.Audit?.Resource));
        Assert.Equal(job.Id.ToString(), commit.Audit?.Parameters?["uuid"]);
        Assert.Equal(["jobs.run.script"], await JobAuditAsync());
        Assert.Equal(("alice", "u/alice", "webhook", """{"a":1}"""), (job.CreatedBy, job.PermissionedAs, job.TriggerKind, job.Args.GetRawText()));
    }

    [Fact]
    public async Task A_run_by_hash_runs_exactly_that_version_and_is_authorized_by_its_path()
    {
        var echo = await _runs.AuthorizeRunAsync("demo", "u/alice/echo", Alice, CancellationToken.None);
        var mayRunEcho = Alice with { Scopes = ["jobs:run:scripts:u/alice/echo"] };
        var mayRunOther = Alice with { Scopes = ["jobs:run:scripts:u/alice/other"] };

        var job = await _runs.RunScriptAsync("demo", echo.Hash, NoArgs, mayRunEcho, JobOptions.None, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<PermissionDeniedException>(() =>
            _runs.RunScriptAsync("demo", echo.Hash, NoArgs, mayRunOther, JobOptions.None, CancellationToken.None).AsTask());

        Assert.Equal(("u/alice/echo", echo.Hash), (job.Runnable.Path, job.Runnable.Hash));
        Assert.Equal("Required scope: jobs:run:scripts:u/alice/echo", refused.Message);
        Assert.Single(_store.Commits);
    }

    [Theory]
    [InlineData("read-only", "Token is read-only. Mutating endpoints are not allowed.")]
    [InlineData("scoped to another script", "Required scope: jobs:run:scripts:u/alice/echo")]
    [InlineData("bound to another workspace", "Token is bound to workspace ops")]
    public async Task A_denied_run_writes_no_job_and_no_audit_entry(string caller, string refusal)
    {
        var denied = caller switch
        {
            "read-only" => Alice with { ReadOnly = true },
            "scoped to another script" => Alice with { Scopes = ["jobs:run:scripts:u/alice/other"] },
            _ => Alice with { WorkspaceId = "ops" },
        };

        var error = await Assert.ThrowsAsync<PermissionDeniedException>(() =>
            _runs.RunScriptAsync("demo", "u/alice/echo", NoArgs, denied, JobOptions.None, CancellationToken.None).AsTask());

        Assert.Equal(refusal, error.Message);
        Assert.Empty(_store.Commits);
        Assert.Equal(0, await CountJobsAsync());
        Assert.Empty(await JobAuditAsync());
    }

    [Fact]
    public async Task An_unknown_script_is_refused_before_anything_is_written()
    {
        var byPath = await Assert.ThrowsAsync<ScriptNotFoundException>(() =>
            _runs.RunScriptAsync("demo", "u/alice/nope", NoArgs, Alice, JobOptions.None, CancellationToken.None).AsTask());
        var byHash = await Assert.ThrowsAsync<ScriptNotFoundException>(() =>
            _runs.RunScriptAsync("demo", new ScriptHash(0x0123456789abcdef), NoArgs, Alice, JobOptions.None, CancellationToken.None).AsTask());

        Assert.Equal(("u/alice/nope", null, "Script not found at name u/alice/nope"), (byPath.Path, byPath.Hash, byPath.Message));
        Assert.Equal((null, new ScriptHash(0x0123456789abcdef), "Script not found at hash 0123456789abcdef"), (byHash.Path, byHash.Hash, byHash.Message));
        Assert.Empty(_store.Commits);
    }

    [Fact]
    public async Task Queue_limit_counts_the_due_unfinished_jobs_of_the_workspace_and_refuses_past_it()
    {
        await RunEchoAsync(JobOptions.None);
        await RunEchoAsync(new JobOptions { ScheduledFor = _clock.GetUtcNow().AddHours(1) }); // not due: not in the queue yet

        var refused = await Assert.ThrowsAsync<QueueLimitExceededException>(() => RunEchoAsync(new JobOptions { QueueLimit = 0 }).AsTask());
        var countAfterRefusal = await CountJobsAsync();
        await RunEchoAsync(new JobOptions { QueueLimit = 1 });

        Assert.Equal((1L, 0L, "Number of queued job is too high: 1 > 0"), (refused.Queued, refused.Limit, refused.Message));
        Assert.Equal(2, countAfterRefusal);
        Assert.Equal(3, await CountJobsAsync());
        Assert.Equal(3, (await JobAuditAsync()).Count);
    }

    [Theory]
    [InlineData(false, "jobs.cancel")]
    [InlineData(true, "jobs.force_cancel")]
    public async Task A_cancel_from_code_is_committed_with_its_audit_entry(bool force, string operation)
    {
        var job = await RunEchoAsync(JobOptions.None);
        _clock.Advance(TimeSpan.FromMinutes(1));

        var outcome = force
            ? await _runs.ForceCancelAsync("demo", job.Id, Alice, "not needed", CancellationToken.None)
            : await _runs.CancelAsync("demo", job.Id, Alice, "not needed", CancellationToken.None);

        Assert.Equal(CancelOutcome.Canceled, outcome);
        var commit = _store.Commits.Last();
        Assert.Equal((nameof(IJobStore.CancelAsync), job.Id), (commit.Change, commit.JobId));
        Assert.Equal(("demo", "alice", operation, AuditActionKind.Delete, job.Id.ToString(), "not needed", _clock.GetUtcNow()),
            (commit.Audit?.WorkspaceId, commit.Audit?.Username, commit.Audit?.Operation, commit.Audit?.ActionKind, commit.Audit?.Resource,
                commit.Audit?.Parameters?["reason"], commit.Audit?.Timestamp));
        Assert.Equal([operation, "jobs.run.script"], await JobAuditAsync());
        var canceled = await Runner.GetAsync("demo", job.Id, CancellationToken.None);
        Assert.Equal((JobStatus.Canceled, "alice", "not needed"), (canceled?.Status, canceled?.CanceledBy, canceled?.CanceledReason));
    }

    [Fact]
    public async Task A_cancel_that_changes_nothing_writes_no_audit_entry()
    {
        var job = await RunEchoAsync(JobOptions.None);
        await _runs.CancelAsync("demo", job.Id, Alice, null, CancellationToken.None);

        var again = await _runs.CancelAsync("demo", job.Id, Alice, null, CancellationToken.None);
        var unknown = await _runs.CancelAsync("demo", Guid.CreateVersion7(), Alice, null, CancellationToken.None);

        Assert.Equal((CancelOutcome.AlreadyCompleted, CancelOutcome.NotFound), (again, unknown));
        Assert.Equal(["jobs.cancel", "jobs.run.script"], await JobAuditAsync());
    }

    [Theory]
    [InlineData("run-scoped", "Required scope: jobs:write")]
    [InlineData("read-only", "Token is read-only. Mutating endpoints are not allowed.")]
    [InlineData("bound to another workspace", "Token is bound to workspace ops")]
    [InlineData("another user", "You do not have access to run {0}")]
    public async Task A_denied_cancel_changes_nothing_and_writes_no_audit_entry(string caller, string refusal)
    {
        var job = await RunEchoAsync(JobOptions.None);
        var denied = caller switch
        {
            "run-scoped" => Alice with { Scopes = ["jobs:run:scripts:u/alice/echo"] },
            "read-only" => Alice with { ReadOnly = true },
            "bound to another workspace" => Alice with { WorkspaceId = "ops" },
            _ => new Caller("bob"),
        };

        var error = await Assert.ThrowsAsync<PermissionDeniedException>(() =>
            _runs.CancelAsync("demo", job.Id, denied, null, CancellationToken.None).AsTask());

        Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, refusal, job.Id), error.Message);
        Assert.Equal(JobStatus.Queued, (await Runner.GetAsync("demo", job.Id, CancellationToken.None))?.Status);
        Assert.Equal(["jobs.run.script"], await JobAuditAsync());
    }

    [Fact]
    public async Task A_store_that_keeps_no_audit_log_gets_the_cancels_entry_written_to_the_sink_after_its_commit()
    {
        var (store, runs) = await StartAsync(new InMemoryJobStore(audit: null));
        var job = await runs.RunScriptAsync("demo", "u/alice/echo", NoArgs, Alice, JobOptions.None, CancellationToken.None);

        await runs.CancelAsync("demo", job.Id, Alice, "not needed", CancellationToken.None);

        Assert.All(store.Commits, commit => Assert.Null(commit.Audit));
        Assert.Equal(["jobs.cancel", "jobs.run.script"], await JobAuditAsync());
    }

    [Fact]
    public async Task The_readmes_example_runs_a_script_as_a_user_and_cancels_it()
    {
        IServiceProvider services = _hosts[0];
        var cancellationToken = CancellationToken.None;

        // README: run from code
        var runs = services.GetRequiredService<JobRuns>();
        var alice = new Caller("alice") { Scopes = ["jobs:run:scripts:u/alice/*", "jobs:write"] };
        var args = JsonSerializer.SerializeToElement(new { name = "Ada" });

        var job = await runs.RunScriptAsync("demo", "u/alice/echo", args, alice, JobOptions.None, cancellationToken);
        var outcome = await runs.CancelAsync("demo", job.Id, alice, "changed my mind", cancellationToken);
        // README: end

        Assert.Equal(CancelOutcome.Canceled, outcome);
        Assert.Equal(["jobs.cancel", "jobs.run.script"], await JobAuditAsync());
    }

    private IJobRunner Runner => _hosts[0].GetRequiredService<IJobRunner>();

    private ValueTask<Job> RunEchoAsync(JobOptions options) =>
        _runs.RunScriptAsync("demo", "u/alice/echo", NoArgs, Alice, options, CancellationToken.None);

    private Task<long> CountJobsAsync() => Runner.CountAsync(new JobQuery { Workspace = "demo" }, CancellationToken.None).AsTask();

    // Newest first; the catalog's scripts.* entries left out.
    private async Task<List<string>> JobAuditAsync() =>
        (await _audit.ListAsync(new AuditQuery { WorkspaceId = "demo", Operation = "jobs." }, CancellationToken.None)).Select(e => e.Operation).ToList();

    private async Task<(CommitRecorder Store, JobRuns Runs)> StartAsync(IJobStore store)
    {
        var recorder = CommitRecorder.Around(store);
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(_clock);
        services.AddWindmillWebhooksCore(options => options.WorkerCount = 0)
            .UseInMemoryStores()
            .AddScript("u/alice/echo", () => 1)
            .AddScript("u/alice/other", () => 2);
        services.RemoveAll<IAuditSink>();
        services.AddSingleton<IAuditSink>(_audit);
        services.RemoveAll<IJobStore>();
        services.AddSingleton(recorder.Store);
        var host = services.BuildServiceProvider();
        _hosts.Add(host);
        await host.GetRequiredService<JobRunner>().StartAsync(CancellationToken.None);
        return (recorder, host.GetRequiredService<JobRuns>());
    }

    /// <summary>An <see cref="IJobStore"/> that passes every call on, and records which audit entry each enqueue and cancel commits with its change.</summary>
    public class CommitRecorder : DispatchProxy
    {
        private IJobStore _inner = null!;

        public ConcurrentQueue<(string Change, Guid JobId, AuditEntry? Audit)> Commits { get; } = new();

        /// <summary>This recorder, as the store it stands for.</summary>
        public IJobStore Store => (IJobStore)(object)this;

        public static CommitRecorder Around(IJobStore inner)
        {
            var recorder = (CommitRecorder)(object)Create<IJobStore, CommitRecorder>();
            recorder._inner = inner;
            return recorder;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            switch (targetMethod.Name, args)
            {
                // EnqueueAsync(job, lease, audit, token); CancelAsync(cancellation, audit, token).
                case (nameof(IJobStore.EnqueueAsync), [Job job, _, var audit, _]):
                    Commits.Enqueue((targetMethod.Name, job.Id, (AuditEntry?)audit));
                    break;
                case (nameof(IJobStore.CancelAsync), [JobCompletion cancellation, var audit, _]):
                    Commits.Enqueue((targetMethod.Name, cancellation.Id, (AuditEntry?)audit));
                    break;
            }

            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        }
    }
}
