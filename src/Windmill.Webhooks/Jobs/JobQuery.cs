using System.Text.Json;

namespace Windmill.Webhooks.Jobs;

/// <summary>A filter over the jobs of one workspace, newest first unless <see cref="OldestFirst"/>.</summary>
public sealed record JobQuery
{
    private static readonly JsonElement NoArgs = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>The workspace.</summary>
    public required string Workspace { get; init; }

    /// <summary>Only jobs of exactly this path.</summary>
    public string? ScriptPath { get; init; }

    /// <summary>Only jobs whose path starts with this text.</summary>
    public string? ScriptPathStart { get; init; }

    /// <summary>Only jobs created by this user or label.</summary>
    public string? CreatedBy { get; init; }

    /// <summary>Only jobs with one of these statuses.</summary>
    public IReadOnlyCollection<JobStatus>? Statuses { get; init; }

    /// <summary>Only jobs of one of these kinds.</summary>
    public IReadOnlyCollection<JobKind>? Kinds { get; init; }

    /// <summary>Only children of this job.</summary>
    public Guid? ParentJob { get; init; }

    /// <summary>Only jobs created strictly before this instant.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary>Only jobs created strictly after this instant.</summary>
    public DateTimeOffset? CreatedAfter { get; init; }

    /// <summary>Only jobs scheduled at or before this instant (due jobs).</summary>
    public DateTimeOffset? ScheduledBefore { get; init; }

    /// <summary>
    /// Only jobs this user may see (<see cref="Job.IsVisibleTo"/>), as a user who is not an admin lists them;
    /// <see langword="null"/> (default) for every job of the workspace.
    /// </summary>
    public string? VisibleTo { get; init; }

    /// <summary>
    /// Whether listed jobs carry their args. Without them <see cref="JobDefinition.Args"/> is an empty object and the store
    /// does not load them. Default <see langword="true"/>.
    /// </summary>
    public bool IncludeArgs { get; init; } = true;

    /// <summary>
    /// Whether listed jobs carry their result and logs. Without them both are <see langword="null"/> and the store
    /// does not load them. Default <see langword="true"/>.
    /// </summary>
    public bool IncludeOutput { get; init; } = true;

    /// <summary>Oldest first instead of newest first.</summary>
    public bool OldestFirst { get; init; }

    /// <summary>How many to skip.</summary>
    public int Offset { get; init; }

    /// <summary>How many at most.</summary>
    public int Limit { get; init; } = 1000;

    /// <summary>Whether <paramref name="job"/> passes every filter but paging; the reference for stores that filter in memory.</summary>
    public bool Matches(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.Workspace == Workspace
            && (ScriptPath is null || job.Runnable.Path == ScriptPath)
            && (ScriptPathStart is null || job.Runnable.Path.StartsWith(ScriptPathStart, StringComparison.Ordinal))
            && (CreatedBy is null || job.CreatedBy == CreatedBy)
            && (Statuses is not { Count: > 0 } || Statuses.Contains(job.Status))
            && (Kinds is null || Kinds.Contains(job.Runnable.Kind))
            && (ParentJob is null || job.ParentJob == ParentJob)
            && (CreatedBefore is null || job.CreatedAt < CreatedBefore)
            && (CreatedAfter is null || job.CreatedAt > CreatedAfter)
            && (ScheduledBefore is null || job.ScheduledFor <= ScheduledBefore)
            && (VisibleTo is null || job.IsVisibleTo(VisibleTo));
    }

    /// <summary>
    /// <paramref name="job"/> as this query lists it, without the args or output it leaves out; the reference for
    /// stores that keep jobs in memory.
    /// </summary>
    public Job Shape(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return IncludeArgs && IncludeOutput ? job : job with
        {
            Args = IncludeArgs ? job.Args : NoArgs,
            Result = IncludeOutput ? job.Result : null,
            Logs = IncludeOutput ? job.Logs : null,
        };
    }
}
