namespace Windmill.Webhooks.Jobs;

/// <summary>What <see cref="IJobStore.ReclaimExpiredAsync"/> did.</summary>
/// <param name="Requeued">How many jobs went back to the queue.</param>
/// <param name="Failed">The jobs that failed past the restart limit.</param>
public sealed record ReclaimedJobs(int Requeued, IReadOnlyList<Job> Failed)
{
    /// <summary>Nothing reclaimed.</summary>
    public static ReclaimedJobs None { get; } = new(0, []);
}
