using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
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

    /// <summary>Replaces every registered executor with one that signals here before it runs a job.</summary>
    public void WrapEveryExecutor(IServiceCollection services)
    {
        foreach (var executor in services.Where(d => d.ServiceType == typeof(IJobExecutor)).ToList())
        {
            services.Remove(executor);
            services.AddSingleton<IJobExecutor>(sp => new SignalingExecutor((IJobExecutor)ActivatorUtilities.CreateInstance(sp, executor.ImplementationType!), this));
        }
    }

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
