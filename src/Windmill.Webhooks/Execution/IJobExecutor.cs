using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.Execution;

/// <summary>
/// Runs the code behind a job. The job runner calls it on a worker; replace it through DI to run
/// jobs somewhere else.
/// </summary>
public interface IJobExecutor
{
    /// <summary>
    /// Runs <paramref name="job"/>. Script errors become a failed <see cref="JobOutcome"/>;
    /// an <see cref="OperationCanceledException"/> is thrown only when <paramref name="cancellationToken"/> fired.
    /// </summary>
    ValueTask<JobOutcome> ExecuteAsync(Job job, CancellationToken cancellationToken);
}
