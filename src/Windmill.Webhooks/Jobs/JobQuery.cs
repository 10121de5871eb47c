namespace Windmill.Webhooks.Jobs;

/// <summary>A filter over the jobs of one workspace, newest first.</summary>
public sealed record JobQuery
{
    /// <summary>The workspace.</summary>
    public required string Workspace { get; init; }

    /// <summary>Only jobs of exactly this path.</summary>
    public string? ScriptPath { get; init; }

    /// <summary>Only jobs created by this user or label.</summary>
    public string? CreatedBy { get; init; }

    /// <summary>Only jobs with one of these statuses.</summary>
    public IReadOnlyCollection<JobStatus>? Statuses { get; init; }

    /// <summary>How many to skip.</summary>
    public int Offset { get; init; }

    /// <summary>How many at most.</summary>
    public int Limit { get; init; } = 1000;
}
