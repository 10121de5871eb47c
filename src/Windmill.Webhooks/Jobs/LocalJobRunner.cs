using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.Execution;

namespace Windmill.Webhooks.Jobs;

/// <summary>
/// The default <see cref="IJobRunner"/>: jobs are persisted in an <see cref="IJobStore"/> (SQLite by default)
/// and run by an in-process pool of workers. Workers are woken by an in-memory queue, and synchronous
/// callers by an in-memory completion signal; nothing polls.
/// </summary>
/// <remarks>
/// Execution is at-least-once: a job that was running when the process died is re-queued at the next
/// start, up to <see cref="WindmillWebhooksOptions.MaxJobRestarts"/> times. A job runs at most
/// <see cref="WindmillWebhooksOptions.JobTimeout"/> (or its own shorter limit), and a workspace holds at most
/// <see cref="WindmillWebhooksOptions.MaxQueuedJobsPerWorkspace"/> unfinished jobs.
/// </remarks>
internal sealed partial class LocalJobRunner : IJobRunner, IHostedService, IAsyncDisposable, IDisposable
{
    // Timers cannot wait for ever (System.Threading.Timer stops at ~49 days): a far schedule waits in steps.
    private static readonly TimeSpan MaxTimerStep = TimeSpan.FromDays(30);

    /// <summary>
    /// How long a job's code may take to stop once told to (time limit, cancel, shutdown) before its worker leaves it
    /// behind: Windmill's worker waits 5 s after SIGTERM before it kills a job's process. .NET cannot kill code running
    /// in-process, so code that ignores its token keeps running unobserved, but it no longer holds a worker.
    /// </summary>
    internal static readonly TimeSpan StopGracePeriod = TimeSpan.FromSeconds(5);

    private readonly IJobStore _store;
    private readonly IJobExecutor _executor;
    private readonly TimeProvider _time;
    private readonly WindmillWebhooksOptions _options;
    private readonly ILogger<LocalJobRunner> _logger;
    private readonly Channel<Guid> _ready = Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleWriter = false });
    // Only jobs that someone is waiting for right now have an entry: nothing is kept for completed jobs.
    private readonly Dictionary<Guid, Waiter> _waiters = [];
    private readonly Lock _waitersLock = new();
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();
    private readonly ConcurrentDictionary<Guid, ScheduledStart> _schedules = new();
    private readonly UnfinishedJobs _unfinished = new();
    private int _leftBehind;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abortJobs = new();
    private Task[] _workers = [];
    private int _started;
    private readonly Lock _stopLock = new();
    private Task? _stop;

    public LocalJobRunner(IJobStore store, IJobExecutor executor, TimeProvider time, IOptions<WindmillWebhooksOptions> options,
        ILogger<LocalJobRunner> logger)
    {
        _store = store;
        _executor = executor;
        _time = time;
        _options = options.Value;
        _logger = logger;
        if (_options.JobTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException(
                $"{nameof(WindmillWebhooksOptions)}.{nameof(WindmillWebhooksOptions.JobTimeout)} must be more than zero; it is {_options.JobTimeout}.");
        }
    }

    public async ValueTask<Job> EnqueueAsync(NewJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var now = _time.GetUtcNow();
        var created = new Job
        {
            Id = job.Id ?? Guid.CreateVersion7(now),
            Workspace = job.Workspace,
            Kind = job.Kind,
            ScriptPath = job.ScriptPath,
            ScriptHash = job.ScriptHash,
            Language = job.Language,
            Args = job.Args.Clone(),
            CreatedBy = job.CreatedBy,
            PermissionedAs = job.PermissionedAs,
            CreatedAt = now,
            ScheduledFor = job.ScheduledFor is { } at && at > now ? at : now,
            ParentJob = job.ParentJob,
            RootJob = job.RootJob,
            TriggerKind = job.TriggerKind,
            Tag = job.Tag,
            VisibleToOwner = job.VisibleToOwner,
            Timeout = job.Timeout,
        };

        // Counted before it is written, so that concurrent requests cannot pass the cap together.
        var admission = _unfinished.TryAdmit(created.Id, created.Workspace, _options.MaxQueuedJobsPerWorkspace);
        if (admission == UnfinishedJobs.Admission.Full)
        {
            throw new JobQueueFullException(created.Workspace, _options.MaxQueuedJobsPerWorkspace!.Value);
        }

        try
        {
            await _store.InsertAsync(created, cancellationToken).ConfigureAwait(false);
        }
        catch when (admission == UnfinishedJobs.Admission.Counted)
        {
            _unfinished.Remove(created.Id);
            throw;
        }

        Schedule(created.Id, created.ScheduledFor);
        return created;
    }

    public async ValueTask<Job?> GetAsync(string workspace, Guid id, CancellationToken cancellationToken)
    {
        var job = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return job?.Workspace == workspace ? job : null;
    }

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

        try
        {
            var job = await GetAsync(workspace, id, cancellationToken).ConfigureAwait(false);
            if (job is null || job.IsCompleted)
            {
                return job;
            }

            return await waiter.Signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
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

    public async ValueTask<CancelOutcome> CancelAsync(string workspace, Guid id, string canceledBy, string? reason, CancellationToken cancellationToken)
    {
        var job = await GetAsync(workspace, id, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return CancelOutcome.NotFound;
        }

        var completion = new JobCompletion(JobStatus.Canceled, JobErrors.Canceled(canceledBy, reason), job.Logs, _time.GetUtcNow(), canceledBy, reason);
        var canceled = await _store.CompleteAsync(id, completion, cancellationToken).ConfigureAwait(false);
        if (canceled is null)
        {
            _unfinished.Remove(id);
            return CancelOutcome.AlreadyCompleted;
        }

        Signal(canceled);
        _unfinished.Remove(id); // its place is free at once, even while its code is still stopping
        Unschedule(id);
        if (_running.TryGetValue(id, out var running))
        {
            await running.CancelAsync().ConfigureAwait(false);
        }

        return CancelOutcome.Canceled;
    }

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

    public IAsyncEnumerable<Job> ListAsync(JobQuery query, CancellationToken cancellationToken) => _store.ListAsync(query, cancellationToken);

    public ValueTask<long> CountAsync(JobQuery query, CancellationToken cancellationToken) => _store.CountAsync(query, cancellationToken);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var queued = await _store.RecoverAsync(_options.MaxJobRestarts, now, cancellationToken).ConfigureAwait(false);
        foreach (var job in queued)
        {
            _unfinished.Add(job.Id, job.Workspace);
            Schedule(job.Id, job.ScheduledFor);
        }

        var later = queued.Count(job => job.ScheduledFor > now);
        if (queued.Count > later)
        {
            Log.Resumed(_logger, queued.Count - later);
        }

        if (later > 0)
        {
            Log.Rearmed(_logger, later);
        }

        _workers = Enumerable.Range(0, Math.Max(1, _options.WorkerCount))
            .Select(_ => Task.Run(() => WorkAsync(_stopping.Token), CancellationToken.None))
            .ToArray();
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_started == 0)
        {
            return Task.CompletedTask;
        }

        // One stop, shared: a later DisposeAsync waits for it instead of disposing under it.
        lock (_stopLock)
        {
            return _stop ??= StopWorkersAsync(cancellationToken);
        }
    }

    private async Task StopWorkersAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);

        // Completing the queue wakes every idle worker for sure: under the test host the token alone was seen to leave
        // them waiting until the host's 30 s shutdown timeout. Jobs are durable; the next start resumes them.
        _ready.Writer.TryComplete();
        foreach (var id in _schedules.Keys)
        {
            Unschedule(id); // scheduled jobs stay queued in the store and are re-armed at the next start
        }

        var everyWorker = Task.WhenAll(_workers);
        var graceOver = Task.Delay(_options.ShutdownGracePeriod, _time, cancellationToken);
        if (await Task.WhenAny(everyWorker, graceOver).ConfigureAwait(false) != everyWorker)
        {
            // Jobs still running go back to the queue for the next start; none is lost.
            await _abortJobs.CancelAsync().ConfigureAwait(false);
        }

        await everyWorker.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
        _abortJobs.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task WorkAsync(CancellationToken stopping)
    {
        try
        {
            while (await _ready.Reader.WaitToReadAsync(stopping).ConfigureAwait(false))
            {
                while (!stopping.IsCancellationRequested && _ready.Reader.TryRead(out var id))
                {
                    await RunAsync(id).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task RunAsync(Guid id)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_abortJobs.Token);
        _running[id] = cancel;
        try
        {
            var job = await _store.MarkRunningAsync(id, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            if (job is null)
            {
                _unfinished.Remove(id);
                return; // canceled while queued, or picked up already
            }

            var (limit, jobSpecific) = TimeLimit(job);
            using var deadline = new CancellationTokenSource(limit, _time);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token, deadline.Token);
            var outcome = await ExecuteAsync(job, stop.Token).ConfigureAwait(false);
            JobCompletion completion;
            if (outcome is not null)
            {
                completion = new JobCompletion(outcome.Succeeded ? JobStatus.Success : JobStatus.Failure, outcome.Result, outcome.Logs, _time.GetUtcNow());
            }
            else if (deadline.IsCancellationRequested)
            {
                Log.TimedOut(_logger, id, limit);
                completion = new JobCompletion(JobStatus.Failure, JobErrors.TimedOut(jobSpecific), null, _time.GetUtcNow());
            }
            else if (_abortJobs.IsCancellationRequested)
            {
                await _store.RequeueAsync(id, CancellationToken.None).ConfigureAwait(false);
                Log.Requeued(_logger, id);
                return;
            }
            else
            {
                _unfinished.Remove(id);
                return; // a user cancel already completed the job
            }

            var completed = await _store.CompleteAsync(id, completion, CancellationToken.None).ConfigureAwait(false);
            if (completed is not null)
            {
                Signal(completed);
            }

            _unfinished.Remove(id);
        }
#pragma warning disable CA1031 // A worker survives any failure of one job; the job stays queued for the next start.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.WorkerFailed(_logger, e, id);
        }
        finally
        {
            _running.TryRemove(id, out _);
        }
    }

    // The instance's limit always applies; the job's own (its script's, or its run's timeout option) only shortens it.
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
    private async Task<JobOutcome?> ExecuteAsync(Job job, CancellationToken stop)
    {
        var execution = Task.Run(() => _executor.ExecuteAsync(job, stop).AsTask(), CancellationToken.None);
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
        if (!execution.IsCompleted && await Task.WhenAny(execution, Task.Delay(StopGracePeriod, _time, CancellationToken.None)).ConfigureAwait(false) != execution)
        {
            Log.LeftBehind(_logger, job.Id, StopGracePeriod, Interlocked.Increment(ref _leftBehind));
            _ = execution.ContinueWith(_ => Interlocked.Decrement(ref _leftBehind), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return null;
    }

    // A due job goes to the workers now; a later one waits on a TimeProvider timer, never on a polling loop.
    private void Schedule(Guid id, DateTimeOffset scheduledFor)
    {
        var delay = scheduledFor - _time.GetUtcNow();
        if (delay <= TimeSpan.Zero)
        {
            _ready.Writer.TryWrite(id);
            return;
        }

        var start = new ScheduledStart(this, id, scheduledFor);
        start.Timer = _time.CreateTimer(static state => ((ScheduledStart)state!).Fire(), start, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _schedules.AddOrUpdate(id, start, (_, previous) =>
        {
            previous.Timer?.Dispose();
            return start;
        });

        // Armed only once registered, so the callback always finds its own entry.
        start.Timer.Change(delay < MaxTimerStep ? delay : MaxTimerStep, Timeout.InfiniteTimeSpan);
    }

    private void OnScheduledTime(ScheduledStart start)
    {
        // A canceled, re-armed or stopped schedule is no longer registered: its late callback does nothing.
        if (!_schedules.TryRemove(new KeyValuePair<Guid, ScheduledStart>(start.Id, start)))
        {
            return;
        }

        start.Timer?.Dispose();
        Schedule(start.Id, start.At); // runs it now, or waits again when the time is beyond one timer step
    }

    private void Unschedule(Guid id)
    {
        if (_schedules.TryRemove(id, out var start))
        {
            start.Timer?.Dispose();
        }
    }

    private void Signal(Job completed)
    {
        Waiter? waiter;
        lock (_waitersLock)
        {
            _waiters.Remove(completed.Id, out waiter);
        }

        waiter?.Signal.TrySetResult(completed);
    }

    /// <summary>The completion signal of one job, shared by everyone waiting for it.</summary>
    private sealed class Waiter
    {
        public TaskCompletionSource<Job> Signal { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count { get; set; }
    }

    /// <summary>A job waiting for its <c>scheduled_for</c>, and the timer that will release it.</summary>
    private sealed class ScheduledStart(LocalJobRunner runner, Guid id, DateTimeOffset at)
    {
        public Guid Id { get; } = id;

        public DateTimeOffset At { get; } = at;

        public ITimer? Timer { get; set; }

        public void Fire() => runner.OnScheduledTime(this);
    }
}
