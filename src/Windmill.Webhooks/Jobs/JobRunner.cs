using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Diagnostics;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.Flows;

namespace Windmill.Webhooks.Jobs;

/// <summary>
/// The job engine: the <see cref="IJobRunner"/> built only on an <see cref="IJobStore"/> and an
/// <see cref="IJobNotifier"/>, so that a backend author writes storage, not concurrency. Any number of
/// runners, in one process or in many, may share one store.
/// </summary>
/// <remarks>
/// <para>
/// A runner holds the jobs it runs under a lease (<see cref="WindmillWebhooksOptions.JobLeaseDuration"/>) that
/// its heartbeat renews. A job whose runner died is run again by whichever runner sees its lease expired, up to
/// <see cref="WindmillWebhooksOptions.MaxJobRestarts"/> times: execution is at-least-once, completion
/// exactly once per lease.
/// </para>
/// <para>
/// Nothing waits on a polling loop in process: a job enqueued while a worker of this runner is idle is stored
/// already claimed and handed over in memory; other runners are told through the notifier; completions wake
/// their waiters at once. Claims and completions are batched, one commit for many jobs. The heartbeat
/// (<see cref="WindmillWebhooksOptions.JobHeartbeatInterval"/>) is the backstop for what a notifier cannot carry
/// between processes: expired leases, jobs queued elsewhere, completions and cancels made elsewhere.
/// </para>
/// </remarks>
public sealed partial class JobRunner : IJobRunner, IHostedService, IAsyncDisposable, IDisposable
{
    private const int ClaimBatchSize = 64;
    private const int CompletionBatchSize = 256;
    private const int BeatIdle = 0;
    private const int BeatRunning = 1;
    private const int BeatRequestedAgain = 2;

    // Timers cannot wait for ever (System.Threading.Timer stops at ~49 days): a far schedule waits in steps.
    private static readonly TimeSpan MaxTimerStep = TimeSpan.FromDays(30);

    /// <summary>
    /// How long a job's code may take to stop once told to (time limit, cancel, shutdown) before its worker leaves it
    /// behind: Windmill's worker waits 5 s after SIGTERM before it kills a job's process. .NET cannot kill code running
    /// in-process, so code that ignores its token keeps running unobserved, but it no longer holds a worker.
    /// </summary>
    internal static readonly TimeSpan StopGracePeriod = TimeSpan.FromSeconds(5);

    private readonly IJobStore _store;
    private readonly IJobNotifier _notifier;
    private readonly IJobExecutor[] _executors;
    private readonly IAuditSink _audit;
    private readonly bool _auditInCommit;
    private readonly TimeProvider _time;
    private readonly WindmillWebhooksOptions _options;
    private readonly ILogger<JobRunner> _logger;
    private readonly WindmillMetrics _metrics;
    private readonly Meter? _ownMeter;
    private readonly JsonElement _restartLimitError;

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Channel<PendingCompletion> _completions = Channel.CreateUnbounded<PendingCompletion>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();
    private readonly ConcurrentBag<Guid> _aborted = [];

    // Unfinished jobs per workspace, for the queue cap: read from the store the first time a workspace is seen and at
    // every heartbeat (other processes change it too), counted here in between.
    private readonly Dictionary<string, int> _unfinished = new(StringComparer.Ordinal);
    private int _leftBehind;

    // Only jobs that someone is waiting for right now have an entry: nothing is kept for completed jobs.
    private readonly Dictionary<Guid, Waiter> _waiters = [];
    private readonly Lock _waitersLock = new();

    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abortJobs = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _stateLock = new();
    private readonly int _workerCount;
    private int _freeSlots;
    private int _started;
    private int _beatState;
    private Task _pump = Task.CompletedTask;
    private Task _completer = Task.CompletedTask;
    private ITimer? _heartbeat;
    private ITimer? _nextDue;
    private DateTimeOffset _nextDueAt = DateTimeOffset.MaxValue;
    private IDisposable? _subscription;
    private Task? _stop;

    /// <summary>
    /// Creates a runner; it claims and runs jobs once started (it is an <see cref="IHostedService"/>). Without
    /// <paramref name="metrics"/> (a runner built outside dependency injection), it reports on a meter of its own.
    /// </summary>
    public JobRunner(IJobStore store, IJobNotifier notifier, IEnumerable<IJobExecutor> executors, IAuditSink audit, TimeProvider time,
        IOptions<WindmillWebhooksOptions> options, ILogger<JobRunner> logger, WindmillMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(notifier);
        ArgumentNullException.ThrowIfNull(executors);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _notifier = notifier;
        _executors = executors.ToArray();
        _audit = audit;
        _auditInCommit = store.CommitsWith(audit);
        _time = time;
        _options = options.Value;
        _logger = logger;
        if (_options.JobTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException(
                $"{nameof(WindmillWebhooksOptions)}.{nameof(WindmillWebhooksOptions.JobTimeout)} must be more than zero; it is {_options.JobTimeout}.");
        }

        if (metrics is null)
        {
            _ownMeter = new Meter(WindmillTelemetry.Name);
            metrics = new WindmillMetrics(_ownMeter);
        }

        _metrics = metrics;
        metrics.Meter.CreateObservableGauge("windmill.queue.depth", ObserveQueueDepth, "{job}",
            "Jobs accepted and not finished (queued or running), per workspace, as this process counts them: recounted from the store at every heartbeat.");

        _workerCount = Math.Max(0, _options.WorkerCount);
        _freeSlots = _workerCount;
        Owner = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}");
        _restartLimitError = JobErrors.Create("RestartLimitReached",
            $"The job's runner stopped while it ran, {_options.MaxJobRestarts + 1} times; it is not retried again.");
    }

    /// <summary>Flows' early results, handed to this process's synchronous callers once the run that reached them is committed.</summary>
    internal FlowEarlyReturns EarlyReturns { get; } = new();

    /// <summary>This runner's identity in the leases it holds: machine, process and a random part, new at each start.</summary>
    public string Owner { get; }

    /// <summary>How many jobs someone is waiting for right now (what the runner keeps per job in memory).</summary>
    internal int WaitedJobCount
    {
        get
        {
            lock (_waitersLock)
            {
                return _waiters.Count;
            }
        }
    }

    private bool Accepting => _started == 1 && !_stopping.IsCancellationRequested;

    /// <inheritdoc />
    public async ValueTask<Job> EnqueueAsync(NewJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        using var activity = WindmillTelemetry.Source.StartActivity("enqueue", ActivityKind.Producer);
        var now = _time.GetUtcNow();
        var created = Create(job, now, parent: null);
        if (activity is not null)
        {
            activity.SetTag("windmill.workspace", created.Workspace);
            activity.SetTag("windmill.job.id", created.Id.ToString());
            activity.SetTag("windmill.job.kind", created.Runnable.Kind.ToString().ToLowerInvariant());
            activity.SetTag("windmill.runnable.path", created.Runnable.Path);
        }

        await AdmitAsync(created.Workspace, cancellationToken).ConfigureAwait(false);
        var audit = job.TriggeredBy is { } user ? TriggerAudit(created, user, now) : null;
        var due = created.ScheduledFor <= now;

        // An idle worker here takes the job in the same commit that stores it: no claim, no wake-up.
        var handOver = due && Accepting && TryReserveSlots(1) == 1;
        if (handOver)
        {
            created = created with { Status = JobStatus.Running, StartedAt = now };
        }

        try
        {
            await _store.EnqueueAsync(created, handOver ? Lease(now) : null, _auditInCommit ? audit : null, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            activity?.SetStatus(ActivityStatusCode.Error);
            if (handOver)
            {
                ReleaseSlots(1);
            }

            Finished(created.Workspace);
            throw;
        }

        _metrics.Enqueued(created);

        try
        {
            await WriteAuditAfterCommitAsync(audit).ConfigureAwait(false);
        }
        finally
        {
            // Even when the separate audit write fails, the committed job runs: a handed-over job holds a slot and a lease only it releases.
            if (handOver)
            {
                Start(created);
            }
            else if (due)
            {
                await AnnounceReadyAsync().ConfigureAwait(false);
            }
            else
            {
                ArmNextDue(created.ScheduledFor);
            }
        }

        return created;
    }

    /// <inheritdoc />
    public async ValueTask<Job?> GetAsync(string workspace, Guid id, CancellationToken cancellationToken)
    {
        var job = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return job?.Workspace == workspace ? job : null;
    }

    /// <inheritdoc />
    public async ValueTask<Job?> WaitForCompletionAsync(string workspace, Guid id, CancellationToken cancellationToken)
    {
        // Register before reading, so a completion between the two cannot be missed.
        Waiter waiter;
        lock (_waitersLock)
        {
            if (!_waiters.TryGetValue(id, out waiter!))
            {
                _waiters[id] = waiter = new Waiter();
            }

            waiter.Count++;
        }

        var waitStarted = _time.GetTimestamp();
        var answered = false;
        try
        {
            var job = await GetAsync(workspace, id, cancellationToken).ConfigureAwait(false);
            if (job is null || job.IsCompleted)
            {
                answered = job is not null;
                return job;
            }

            job = await waiter.Signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            answered = true;
            return job;
        }
        finally
        {
            _metrics.SyncWaited(_time.GetElapsedTime(waitStarted), answered);

            // The last one to stop waiting (answered, canceled or never needing to wait) removes the entry.
            lock (_waitersLock)
            {
                if (--waiter.Count == 0 && _waiters.TryGetValue(id, out var current) && current == waiter)
                {
                    _waiters.Remove(id);
                }
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<CancelOutcome> CancelAsync(string workspace, Guid id, string canceledBy, string? reason, AuditEntry? audit,
        CancellationToken cancellationToken)
    {
        var job = await GetAsync(workspace, id, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return CancelOutcome.NotFound;
        }

        if (job.IsCompleted)
        {
            return CancelOutcome.AlreadyCompleted;
        }

        var cancellation = new JobCompletion(id, JobStatus.Canceled, JobErrors.Canceled(canceledBy, reason), job.Logs, _time.GetUtcNow())
        {
            CanceledBy = canceledBy,
            CanceledReason = reason,
            ResumesParent = job.IsFlowStep ? job.ParentJob : null,
        };
        var canceled = await _store.CancelAsync(cancellation, _auditInCommit ? audit : null, cancellationToken).ConfigureAwait(false);
        if (canceled is null)
        {
            return CancelOutcome.AlreadyCompleted;
        }

        // Whichever runner runs it stops its code; its own completion will find the lease gone.
        Finished(canceled.Workspace);
        StopLocally(id);
        _metrics.Completed(canceled, canceled.Status, canceled.CompletedAt - canceled.StartedAt);
        SignalWaiters(id, canceled);
        await PublishAsync(new JobNotification(JobNotificationKind.CancelRequested, id) { Job = canceled }).ConfigureAwait(false);
        if (cancellation.ResumesParent is not null)
        {
            await AnnounceReadyAsync().ConfigureAwait(false);
        }

        await WriteAuditAfterCommitAsync(audit).ConfigureAwait(false);
        if (canceled.Runnable.Kind == JobKind.Flow)
        {
            // Not the caller's token: once the flow is canceled, its steps must be too, even if the caller has gone.
            await CancelStepsAsync(canceled, canceledBy, reason).ConfigureAwait(false);
        }

        return CancelOutcome.Canceled;
    }

    // A canceled flow's unfinished steps are canceled too (and theirs, for iterations, branches and sub-flows).
    private async ValueTask CancelStepsAsync(Job flow, string canceledBy, string? reason)
    {
        var steps = new List<Guid>();
        var unfinished = new JobQuery
        {
            Workspace = flow.Workspace,
            ParentJob = flow.Id,
            Statuses = [JobStatus.Queued, JobStatus.Running],
            IncludeArgs = false,
            IncludeOutput = false,
            Limit = int.MaxValue,
        };
        await foreach (var step in _store.ListAsync(unfinished, CancellationToken.None).ConfigureAwait(false))
        {
            steps.Add(step.Id);
        }

        foreach (var step in steps)
        {
            await CancelAsync(flow.Workspace, step, canceledBy, reason, audit: null, CancellationToken.None).ConfigureAwait(false);
        }
    }

    // For a sink the store cannot commit with: written once the change is durable, so the caller's disconnect cannot skip it.
    private ValueTask WriteAuditAfterCommitAsync(AuditEntry? audit) =>
        audit is not null && !_auditInCommit ? _audit.WriteAsync(audit, CancellationToken.None) : ValueTask.CompletedTask;

    /// <inheritdoc />
    public IAsyncEnumerable<Job> ListAsync(JobQuery query, CancellationToken cancellationToken) => _store.ListAsync(query, cancellationToken);

    /// <inheritdoc />
    public ValueTask<long> CountAsync(JobQuery query, CancellationToken cancellationToken) => _store.CountAsync(query, cancellationToken);

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            return Task.CompletedTask;
        }

        _subscription = _notifier.Subscribe(OnNotification);
        _pump = Task.Run(PumpAsync, CancellationToken.None);
        _completer = Task.Run(CompleteAsync, CancellationToken.None);
        var interval = _options.JobHeartbeatInterval;
        // One-shot, re-armed as it fires: a clock that jumps ahead fires one beat, not thousands.
        _heartbeat = _time.CreateTimer(static state => ((JobRunner)state!).OnHeartbeatTimer(), this, interval, Timeout.InfiniteTimeSpan);
        Wake(); // what was queued before this start, by this process or another
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_started == 0)
        {
            return Task.CompletedTask;
        }

        // One stop, shared: a later DisposeAsync waits for it instead of disposing under it.
        lock (_stateLock)
        {
            return _stop ??= StopCoreAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _ownMeter?.Dispose();
        _stopping.Dispose();
        _abortJobs.Dispose();
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        // Armed before the first await, so that the grace period starts when the stop is asked for.
        var graceOver = Task.Delay(_options.ShutdownGracePeriod, _time, cancellationToken);
        await _stopping.CancelAsync().ConfigureAwait(false);
        _subscription?.Dispose();
        _wake.Writer.TryComplete();
        lock (_stateLock)
        {
            _heartbeat?.Dispose();
            _nextDue?.Dispose();
        }

        await _pump.ConfigureAwait(false);
        if (Volatile.Read(ref _freeSlots) == _workerCount)
        {
            _drained.TrySetResult();
        }

        if (await Task.WhenAny(_drained.Task, graceOver).ConfigureAwait(false) != _drained.Task)
        {
            // Jobs still running go back to the queue, for this runner's next start or another runner.
            await _abortJobs.CancelAsync().ConfigureAwait(false);
        }

        await _drained.Task.ConfigureAwait(false);
        _completions.Writer.TryComplete();
        await _completer.ConfigureAwait(false);
        var aborted = _aborted.ToArray();
        if (aborted.Length > 0)
        {
            try
            {
                await _store.ReleaseAsync(Owner, aborted, CancellationToken.None).ConfigureAwait(false);
                Log.Released(_logger, aborted.Length);
                await PublishAsync(new JobNotification(JobNotificationKind.Ready, Guid.Empty)).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The stop goes on: the jobs' leases expire, and they are reclaimed like a dead process's.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.ReleaseFailed(_logger, e, aborted.Length);
            }
        }
    }

    private async Task PumpAsync()
    {
        var stopping = _stopping.Token;
        try
        {
            while (await _wake.Reader.WaitToReadAsync(stopping).ConfigureAwait(false))
            {
                _wake.Reader.TryRead(out _);
                await ClaimWhileIdleAsync(stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    // Claims in batches while workers are idle and jobs are due; then arms one timer for the next scheduled job.
    private async Task ClaimWhileIdleAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var wanted = TryReserveSlots(ClaimBatchSize);
            if (wanted == 0)
            {
                return;
            }

            var now = _time.GetUtcNow();
            IReadOnlyList<Job> claimed;
            try
            {
                claimed = await _store.ClaimAsync(Lease(now), wanted, now, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A failed claim is retried at the next wake-up or heartbeat; the jobs stay queued.
            catch (Exception e)
#pragma warning restore CA1031
            {
                ReleaseSlots(wanted);
                Log.ClaimFailed(_logger, e);
                return;
            }

            ReleaseSlots(wanted - claimed.Count);
            foreach (var job in claimed)
            {
                Start(job);
            }

            if (claimed.Count < wanted)
            {
                try
                {
                    if (await _store.NextScheduledAsync(now, CancellationToken.None).ConfigureAwait(false) is { } next)
                    {
                        ArmNextDue(next);
                    }
                }
#pragma warning disable CA1031 // A store that fails here (down, timed out) must not end the claim loop; the heartbeat wakes it again.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    Log.ClaimFailed(_logger, e);
                }

                return;
            }
        }
    }

    private void Start(Job job)
    {
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_abortJobs.Token);
        _running[job.Id] = cancel;
        // No hop of its own: RunAsync hands the job's code to the thread pool before its first wait (ExecuteAsync).
        _ = RunAsync(job, cancel);
    }

    private async Task RunAsync(Job job, CancellationTokenSource cancel)
    {
        using var activity = StartRunActivity(job);
        if (job.StartedAt is { } started)
        {
            _metrics.Started(job, started - job.ScheduledFor);
        }

        JobOutcome? outcome = null;
        var (limit, jobSpecific) = TimeLimit(job);
        using var deadline = new CancellationTokenSource(limit, _time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token, deadline.Token);
        try
        {
            var executor = Array.Find(_executors, e => e.CanExecute(job));
            outcome = executor is null
                ? JobOutcome.Failure("ExecutorNotFound",
                    $"No executor runs {job.Runnable.Kind.ToString().ToLowerInvariant()} jobs in {job.Runnable.Language ?? "no language"}; register one with the runtime that runs them.")
                : await ExecuteAsync(executor, job, stop.Token).ConfigureAwait(false);
            if (outcome is null)
            {
                if (deadline.IsCancellationRequested && !cancel.IsCancellationRequested)
                {
                    Log.TimedOut(_logger, job.Id, limit);
                    outcome = JobOutcome.Failure(JobErrors.TimedOut(jobSpecific));
                }
                else if (_abortJobs.IsCancellationRequested)
                {
                    _aborted.Add(job.Id);
                }

                // Otherwise the job was canceled, or its lease lost: the store already has its final state.
            }
        }
#pragma warning disable CA1031 // An executor that throws fails its job rather than leaving it running.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.ExecutorFailed(_logger, e, job.Id);
            outcome = JobOutcome.Failure(e.GetType().Name, e.Message);
        }
        finally
        {
            _running.TryRemove(job.Id, out _);
            cancel.Dispose();
        }

        if (outcome is { Succeeded: false })
        {
            activity?.SetStatus(ActivityStatusCode.Error);
        }

        try
        {
            if (outcome is { IsSuspended: true })
            {
                await SuspendAsync(job, outcome).ConfigureAwait(false);
            }
            else if (outcome is not null)
            {
                var completion = new JobCompletion(job.Id, outcome.Succeeded ? JobStatus.Success : JobStatus.Failure, outcome.Result, outcome.Logs,
                    _time.GetUtcNow()) { ResumesParent = job.IsFlowStep ? job.ParentJob : null, FlowStatus = outcome.FlowStatus };
                _completions.Writer.TryWrite(new PendingCompletion(job, completion, outcome.EarlyResult));
            }
        }
        finally
        {
            ReleaseSlots(1);
            Wake();
        }
    }

    // A job's run is its own trace's span, linked to the one that enqueued it (which may have ended long ago, in another
    // process); a flow step's run is a child of its flow's run instead.
    private static Activity? StartRunActivity(Job job)
    {
        // Not a child of whatever happens to be current (the request that handed the job over, say).
        Activity.Current = null;
        if (!WindmillTelemetry.Source.HasListeners())
        {
            return null;
        }

        ActivityContext.TryParse(job.TraceParent, null, out var enqueued);
        var activity = job.IsFlowStep && enqueued != default
            ? WindmillTelemetry.Source.StartActivity("run", ActivityKind.Consumer, enqueued)
            : WindmillTelemetry.Source.StartActivity("run", ActivityKind.Consumer, default(ActivityContext),
                links: enqueued == default ? null : [new ActivityLink(enqueued)]);
        if (activity is not null)
        {
            activity.SetTag("windmill.workspace", job.Workspace);
            activity.SetTag("windmill.job.id", job.Id.ToString());
            activity.SetTag("windmill.job.kind", job.Runnable.Kind.ToString().ToLowerInvariant());
            activity.SetTag("windmill.runnable.path", job.Runnable.Path);
            activity.SetTag("windmill.job.restart_count", job.RestartCount);
        }

        return activity;
    }

    private (TimeSpan Limit, bool JobSpecific) TimeLimit(Job job)
    {
        var instance = _options.JobTimeout < MaxTimerStep ? _options.JobTimeout : MaxTimerStep;
        return job.Timeout is { } own && own < instance
            ? (own > TimeSpan.Zero ? own : TimeSpan.Zero, true)
            : (instance, false);
    }

    /// <summary>
    /// The job's outcome, or <see langword="null"/> when it was told to stop first. The code runs off the worker, so
    /// that code which blocks its thread or ignores its token cannot hold the worker: once told to stop, it gets
    /// <see cref="StopGracePeriod"/>, then it is left behind and its eventual result is discarded.
    /// </summary>
    private async Task<JobOutcome?> ExecuteAsync(IJobExecutor executor, Job job, CancellationToken stop)
    {
        var execution = Task.Run(() => executor.ExecuteAsync(job, stop).AsTask(), CancellationToken.None);
        try
        {
            return await execution.WaitAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        // Whatever the code does after its stop (a result, a failure, the cancellation) no longer counts; it is only observed.
        _ = execution.ContinueWith(static ended => _ = ended.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        if (!execution.IsCompleted
            && await Task.WhenAny(execution, Task.Delay(StopGracePeriod, _time, CancellationToken.None)).ConfigureAwait(false) != execution)
        {
            Log.LeftBehind(_logger, job.Id, StopGracePeriod, Interlocked.Increment(ref _leftBehind));
            _ = execution.ContinueWith(_ => Interlocked.Decrement(ref _leftBehind), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return null;
    }

    // The queue cap and the queue depth gauge: a workspace's unfinished jobs are read once from the store, then counted, and
    // re-read at each heartbeat.
    private async ValueTask AdmitAsync(string workspace, CancellationToken cancellationToken)
    {
        bool known;
        lock (_unfinished)
        {
            known = _unfinished.ContainsKey(workspace);
        }

        if (!known)
        {
            var counted = await CountUnfinishedAsync(workspace, cancellationToken).ConfigureAwait(false);
            lock (_unfinished)
            {
                _unfinished.TryAdd(workspace, (int)Math.Min(counted, int.MaxValue));
            }
        }

        lock (_unfinished)
        {
            var count = _unfinished[workspace];
            if (_options.MaxQueuedJobsPerWorkspace is { } cap && count >= cap)
            {
                throw new JobQueueFullException(workspace, cap);
            }

            _unfinished[workspace] = count + 1;
        }
    }

    private void Finished(string workspace)
    {
        lock (_unfinished)
        {
            if (_unfinished.TryGetValue(workspace, out var count) && count > 0)
            {
                _unfinished[workspace] = count - 1;
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveQueueDepth()
    {
        lock (_unfinished)
        {
            return _unfinished.Select(entry => new Measurement<long>(entry.Value, new KeyValuePair<string, object?>("windmill.workspace", entry.Key))).ToList();
        }
    }

    private async Task RecountUnfinishedAsync()
    {
        string[] workspaces;
        lock (_unfinished)
        {
            workspaces = _unfinished.Keys.ToArray();
        }

        foreach (var workspace in workspaces)
        {
            var counted = await CountUnfinishedAsync(workspace, CancellationToken.None).ConfigureAwait(false);
            lock (_unfinished)
            {
                _unfinished[workspace] = (int)Math.Min(counted, int.MaxValue);
            }
        }
    }

    private ValueTask<long> CountUnfinishedAsync(string workspace, CancellationToken cancellationToken) =>
        _store.CountAsync(new JobQuery { Workspace = workspace, Statuses = [JobStatus.Queued, JobStatus.Running] }, cancellationToken);

    private async Task SuspendAsync(Job job, JobOutcome outcome)
    {
        var now = _time.GetUtcNow();
        var children = outcome.Children!.Select(child => Create(child, now, job)).ToList();
        try
        {
            if (await _store.SuspendAsync(Owner, job.Id, outcome.FlowStatus, children, CancellationToken.None).ConfigureAwait(false))
            {
                if (outcome.EarlyResult is { } early)
                {
                    EarlyReturns.Publish(job.Id, early);
                }

                // The steps are unfinished jobs of the workspace too; their completions count them out.
                lock (_unfinished)
                {
                    _unfinished[job.Workspace] = _unfinished.GetValueOrDefault(job.Workspace) + children.Count;
                }

                await AnnounceReadyAsync().ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // The job keeps its lease until it expires; then it is reclaimed and run again.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.SuspendFailed(_logger, e, job.Id);
        }
    }

    // One commit for every completion that queued up while the previous one was written.
    private async Task CompleteAsync()
    {
        var reader = _completions.Reader;
        var batch = new List<PendingCompletion>(CompletionBatchSize);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < CompletionBatchSize && reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            await CompleteBatchAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private async Task CompleteBatchAsync(List<PendingCompletion> batch)
    {
        IReadOnlyList<bool> applied;
        try
        {
            applied = await _store.CompleteAsync(Owner, batch.ConvertAll(p => p.Completion), CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The jobs' leases are no longer renewed: they expire, and the jobs are reclaimed and run again.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.CompletionFailed(_logger, e, batch.Count);
            return;
        }

        var resumesParent = false;
        for (var i = 0; i < batch.Count; i++)
        {
            if (applied[i])
            {
                var completed = batch[i].Completion.Apply(batch[i].Job);
                if (batch[i].EarlyResult is { } early)
                {
                    EarlyReturns.Publish(completed.Id, early); // before the completion, which its waiters would take instead
                }

                Finished(completed.Workspace);
                _metrics.Completed(completed, completed.Status, completed.CompletedAt - completed.StartedAt);
                SignalWaiters(completed.Id, completed);
                await PublishAsync(new JobNotification(JobNotificationKind.Completed, completed.Id) { Job = completed }).ConfigureAwait(false);
                resumesParent |= batch[i].Completion.ResumesParent is not null;
            }
        }

        if (resumesParent)
        {
            await AnnounceReadyAsync().ConfigureAwait(false);
        }
    }

    private void OnHeartbeatTimer()
    {
        lock (_stateLock)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            _heartbeat?.Change(_options.JobHeartbeatInterval, Timeout.InfiniteTimeSpan);
        }

        // Beats never overlap; a beat asked for while one runs follows it, so every tick is a whole pass that starts after it.
        while (true)
        {
            var state = Volatile.Read(ref _beatState);
            if (state == BeatRequestedAgain)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _beatState, state + 1, state) == state)
            {
                if (state == BeatIdle)
                {
                    _ = BeatAsync();
                }

                return;
            }
        }
    }

    private async Task BeatAsync()
    {
        do
        {
            Volatile.Write(ref _beatState, BeatRunning);
            await HeartbeatAsync().ConfigureAwait(false);
        }
        while (Interlocked.CompareExchange(ref _beatState, BeatIdle, BeatRunning) != BeatRunning);
    }

    // The backstop for what notifications cannot carry: lease renewal, expired leases, and changes made by other processes.
    private async Task HeartbeatAsync()
    {
        if (!Accepting)
        {
            return;
        }

        try
        {
            var now = _time.GetUtcNow();
            var held = _running.Keys.ToArray();
            if (held.Length > 0)
            {
                foreach (var lost in await _store.RenewAsync(Lease(now), held, CancellationToken.None).ConfigureAwait(false))
                {
                    // Canceled, or reclaimed by another runner: stop the code, and tell waiters here what the store now holds.
                    StopLocally(lost);
                    SignalWaiters(lost, completed: null);
                }
            }

            var reclaimed = await _store.ReclaimExpiredAsync(now, _options.MaxJobRestarts, _restartLimitError, CancellationToken.None)
                .ConfigureAwait(false);
            foreach (var failed in reclaimed.Failed)
            {
                Finished(failed.Workspace);
                _metrics.Completed(failed, failed.Status, ran: null);
                SignalWaiters(failed.Id, failed);
                await PublishAsync(new JobNotification(JobNotificationKind.Completed, failed.Id) { Job = failed }).ConfigureAwait(false);
            }

            if (reclaimed.Requeued > 0)
            {
                Log.Reclaimed(_logger, reclaimed.Requeued);
                await AnnounceReadyAsync().ConfigureAwait(false);
            }

            await SignalRemoteCompletionsAsync().ConfigureAwait(false);
            await RecountUnfinishedAsync().ConfigureAwait(false);
            Wake();
        }
#pragma warning disable CA1031 // A heartbeat that fails is tried again at the next one.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.HeartbeatFailed(_logger, e);
        }
    }

    // Waits for jobs that another process runs end here, at the latest one heartbeat after they completed.
    private async Task SignalRemoteCompletionsAsync()
    {
        Guid[] waited;
        lock (_waitersLock)
        {
            waited = _waiters.Keys.Where(id => !_running.ContainsKey(id)).ToArray();
        }

        foreach (var id in waited)
        {
            if (await _store.GetAsync(id, CancellationToken.None).ConfigureAwait(false) is { IsCompleted: true } completed)
            {
                SignalWaiters(id, completed);
            }
        }
    }

    private void OnNotification(JobNotification notification)
    {
        switch (notification.Kind)
        {
            case JobNotificationKind.Ready:
                Wake();
                break;
            case JobNotificationKind.CancelRequested:
                StopLocally(notification.JobId);
                SignalWaiters(notification.JobId, notification.Job);
                break;
            case JobNotificationKind.Completed:
                SignalWaiters(notification.JobId, notification.Job);
                break;
            default:
                break; // cache invalidations are for the caches
        }
    }

    private void SignalWaiters(Guid id, Job? completed)
    {
        Waiter? waiter;
        lock (_waitersLock)
        {
            if (!_waiters.TryGetValue(id, out waiter))
            {
                return;
            }

            if (completed is not null)
            {
                _waiters.Remove(id);
            }
        }

        if (completed is not null)
        {
            waiter.Signal.TrySetResult(completed);
            return;
        }

        // A notification from another process names the job only: read it once for every waiter.
        _ = Task.Run(async () =>
        {
            if (await _store.GetAsync(id, CancellationToken.None).ConfigureAwait(false) is { IsCompleted: true } job)
            {
                SignalWaiters(id, job);
            }
        });
    }

    private void StopLocally(Guid id)
    {
        if (_running.TryGetValue(id, out var cancel))
        {
            try
            {
                cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It just finished.
            }
        }
    }

    private void ArmNextDue(DateTimeOffset at)
    {
        lock (_stateLock)
        {
            if (_stopping.IsCancellationRequested || at >= _nextDueAt)
            {
                return; // an earlier wake-up is armed already
            }

            _nextDueAt = at;
            _nextDue ??= _time.CreateTimer(static state => ((JobRunner)state!).OnNextDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            var delay = at - _time.GetUtcNow();
            _nextDue.Change(delay <= TimeSpan.Zero ? TimeSpan.Zero : delay < MaxTimerStep ? delay : MaxTimerStep, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnNextDue()
    {
        lock (_stateLock)
        {
            _nextDueAt = DateTimeOffset.MaxValue;
        }

        Wake(); // claims what is due, then arms the timer again for the next one
    }

    private async ValueTask AnnounceReadyAsync()
    {
        Wake();
        await PublishAsync(new JobNotification(JobNotificationKind.Ready, Guid.Empty)).ConfigureAwait(false);
    }

    private async ValueTask PublishAsync(JobNotification notification)
    {
        try
        {
            await _notifier.PublishAsync(notification, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Notifications are hints; the heartbeat finds what a lost one would have said.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.NotifyFailed(_logger, e, notification.Kind);
        }
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    private int TryReserveSlots(int wanted)
    {
        while (true)
        {
            var free = Volatile.Read(ref _freeSlots);
            var taken = Math.Min(free, wanted);
            if (taken <= 0 || Interlocked.CompareExchange(ref _freeSlots, free - taken, free) == free)
            {
                return Math.Max(taken, 0);
            }
        }
    }

    private void ReleaseSlots(int count)
    {
        if (count > 0 && Interlocked.Add(ref _freeSlots, count) == _workerCount && _stopping.IsCancellationRequested)
        {
            _drained.TrySetResult();
        }
    }

    private JobLease Lease(DateTimeOffset now) => new(Owner, now + _options.JobLeaseDuration);

    private static Job Create(NewJob job, DateTimeOffset now, Job? parent)
    {
        var options = job.Options;
        return new Job
        {
            Id = options.Id ?? Guid.CreateVersion7(now),
            Workspace = job.Workspace,
            Runnable = job.Runnable,
            Args = job.Args.Clone(),
            CreatedBy = job.CreatedBy,
            PermissionedAs = job.PermissionedAs,
            CreatedAt = now,
            ScheduledFor = options.ScheduledFor is { } at && at > now ? at : now,
            ParentJob = parent?.Id ?? options.ParentJob,
            Timeout = options.Timeout,
            RootJob = parent is null ? options.RootJob : parent.RootJob ?? parent.Id,
            IsFlowStep = parent is not null,
            TriggerKind = job.TriggerKind,
            Tag = string.IsNullOrEmpty(options.Tag) ? "default" : options.Tag,
            VisibleToOwner = options.VisibleToOwner,
            TraceParent = Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null,
        };
    }

    // Windmill's audit of a pushed job: Execute on the runnable's path, with the job id and whose rights it runs with.
    private static AuditEntry TriggerAudit(Job job, string username, DateTimeOffset now)
    {
        var parameters = new Dictionary<string, string> { ["uuid"] = job.Id.ToString(), ["permissioned_as"] = job.PermissionedAs };
        var runnable = job.Runnable;
        if (runnable.Kind == JobKind.Script)
        {
            parameters["hash"] = runnable.Hash.ToString();
        }

        return new AuditEntry
        {
            WorkspaceId = job.Workspace,
            Timestamp = now,
            Username = username,
            Operation = runnable.Kind switch
            {
                JobKind.Flow => "jobs.run.flow",
                JobKind.Preview => "jobs.run.preview",
                _ => "jobs.run.script",
            },
            ActionKind = AuditActionKind.Execute,
            Resource = runnable.Path,
            Parameters = parameters,
        };
    }

    /// <summary>The completion signal of one job, shared by everyone waiting for it.</summary>
    private sealed class Waiter
    {
        public TaskCompletionSource<Job> Signal { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count { get; set; }
    }

    private sealed record PendingCompletion(Job Job, JobCompletion Completion, JsonElement? EarlyResult = null);
}
