using System.Collections.Concurrent;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

/// <summary>
/// Wraps the real <see cref="IJobExecutor"/> and signals when a job's code starts, so a test knows a job
/// is running (its status is persisted as running before the executor is called) without polling.
/// </summary>
internal sealed class JobStartSignals
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _started = new();

    public Task StartedAsync(Guid jobId) => Signal(jobId).Task.Within();

    public IJobExecutor Wrap(IJobExecutor inner) => new SignalingExecutor(inner, this);

    private TaskCompletionSource Signal(Guid jobId) =>
        _started.GetOrAdd(jobId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private sealed class SignalingExecutor(IJobExecutor inner, JobStartSignals signals) : IJobExecutor
    {
        public bool CanExecute(Job job) => inner.CanExecute(job);

        public ValueTask<JobOutcome> ExecuteAsync(Job job, CancellationToken cancellationToken)
        {
            signals.Signal(job.Id).TrySetResult();
            return inner.ExecuteAsync(job, cancellationToken);
        }
    }
}
