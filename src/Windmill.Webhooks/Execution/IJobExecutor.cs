using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.Execution;

/// <summary>
/// Runs the code behind jobs of some kinds and languages. Register as many as there are runtimes
/// (<c>TryAddEnumerable</c>): the runner gives each job to the first executor that
/// <see cref="CanExecute"/> it, so adding one never drops the others.
/// </summary>
public interface IJobExecutor
{
    /// <summary>Whether this executor runs <paramref name="job"/>'s runnable (by its <see cref="Runnable.Kind"/> and <see cref="Runnable.Language"/>).</summary>
    bool CanExecute(Job job);

    /// <summary>
    /// Runs <paramref name="job"/>. Script errors become a failed <see cref="JobOutcome"/>; an executor that
    /// starts child jobs answers <see cref="JobOutcome.Suspend"/>. An <see cref="OperationCanceledException"/> is
    /// thrown only when <paramref name="cancellationToken"/> fired.
    /// </summary>
    ValueTask<JobOutcome> ExecuteAsync(Job job, CancellationToken cancellationToken);
}
