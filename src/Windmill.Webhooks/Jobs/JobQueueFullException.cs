namespace Windmill.Webhooks.Jobs;

/// <summary>
/// Thrown by <see cref="IJobRunner.EnqueueAsync"/> when the workspace already holds
/// <see cref="WindmillWebhooksOptions.MaxQueuedJobsPerWorkspace"/> unfinished jobs. Nothing was written;
/// the HTTP layer answers <c>429</c>, and the same request may succeed once some jobs have run.
/// </summary>
public sealed class JobQueueFullException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public JobQueueFullException(string workspace, int limit)
        : base($"Workspace {workspace} already holds {limit} unfinished jobs, the most it accepts.")
    {
        Workspace = workspace;
        Limit = limit;
    }

    /// <summary>The full workspace.</summary>
    public string Workspace { get; }

    /// <summary>The cap it reached.</summary>
    public int Limit { get; }
}
