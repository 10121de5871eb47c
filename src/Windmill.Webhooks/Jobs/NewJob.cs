namespace Windmill.Webhooks.Jobs;

/// <summary>
/// A request to run something; <see cref="IJobRunner.EnqueueAsync"/> turns it into a <see cref="Job"/>. What runs,
/// with what and for whom is its <see cref="JobDefinition"/>; how it was asked to run is in <see cref="Options"/>.
/// </summary>
public sealed record NewJob : JobDefinition
{
    /// <summary>
    /// The user whose trigger is audited (<c>jobs.run.script</c>, <c>jobs.run.flow</c>, …) in the same commit as
    /// the job; <see langword="null"/> writes no audit entry (a flow's steps, say).
    /// </summary>
    public string? TriggeredBy { get; init; }

    /// <summary>The requested id, schedule, parent, tag, visibility and time limit; the job holds what was decided.</summary>
    public JobOptions Options { get; init; } = JobOptions.None;
}
