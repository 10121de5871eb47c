namespace Windmill.Webhooks.Audit;

/// <summary>A filter over the audit log of one workspace, with the filters of Windmill's <c>/audit/list</c>.</summary>
public sealed record AuditQuery
{
    /// <summary>The workspace.</summary>
    public required string WorkspaceId { get; init; }

    /// <summary>Only entries by exactly this user.</summary>
    public string? Username { get; init; }

    /// <summary>Only entries whose operation is this one or starts with it (<c>jobs.run</c> matches <c>jobs.run.script</c>).</summary>
    public string? Operation { get; init; }

    /// <summary>Only entries whose operation is exactly one of these.</summary>
    public IReadOnlyCollection<string>? Operations { get; init; }

    /// <summary>No entry whose operation is exactly one of these.</summary>
    public IReadOnlyCollection<string>? ExcludeOperations { get; init; }

    /// <summary>Only entries whose resource is this one or starts with it.</summary>
    public string? Resource { get; init; }

    /// <summary>Only entries of this kind.</summary>
    public AuditActionKind? ActionKind { get; init; }

    /// <summary>Only entries at or before this instant.</summary>
    public DateTimeOffset? Before { get; init; }

    /// <summary>Only entries after this instant.</summary>
    public DateTimeOffset? After { get; init; }

    /// <summary>Only entries with an id below this one (keyset paging).</summary>
    public long? BeforeId { get; init; }

    /// <summary>How many to skip.</summary>
    public int Offset { get; init; }

    /// <summary>How many at most.</summary>
    public int Limit { get; init; } = 1000;

    /// <summary>Whether <paramref name="entry"/> passes every filter; what the in-memory sink applies.</summary>
    public bool Matches(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.WorkspaceId == WorkspaceId
            && (Username is null || entry.Username == Username)
            && (Operation is null || entry.Operation.StartsWith(Operation, StringComparison.Ordinal))
            && (Operations is not { Count: > 0 } || Operations.Contains(entry.Operation))
            && (ExcludeOperations is not { Count: > 0 } || !ExcludeOperations.Contains(entry.Operation))
            && (Resource is null || (entry.Resource?.StartsWith(Resource, StringComparison.Ordinal) ?? false))
            && (ActionKind is null || entry.ActionKind == ActionKind)
            && (Before is null || entry.Timestamp <= Before)
            && (After is null || entry.Timestamp > After)
            && (BeforeId is null || entry.Id < BeforeId);
    }
}
