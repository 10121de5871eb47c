namespace Windmill.Webhooks.Audit;

/// <summary>One audit log entry, such as <c>jobs.run.script</c> for a webhook trigger.</summary>
public sealed record AuditEntry
{
    /// <summary>Assigned by the sink when written; ignored on write.</summary>
    public long Id { get; init; }

    /// <summary>The workspace, or <c>global</c>.</summary>
    public required string WorkspaceId { get; init; }

    /// <summary>When it happened.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Who did it.</summary>
    public required string Username { get; init; }

    /// <summary>What was done, such as <c>jobs.run.script</c>.</summary>
    public required string Operation { get; init; }

    /// <summary>The kind of action.</summary>
    public required AuditActionKind ActionKind { get; init; }

    /// <summary>What it was done to, such as a script path.</summary>
    public string? Resource { get; init; }

    /// <summary>Details, such as the job id. Never a secret.</summary>
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }
}
