namespace Windmill.Webhooks.Audit;

/// <summary>A filter over the audit log of one workspace.</summary>
public sealed record AuditQuery
{
    /// <summary>The workspace.</summary>
    public required string WorkspaceId { get; init; }

    /// <summary>Only entries by this user.</summary>
    public string? Username { get; init; }

    /// <summary>Only entries with this operation.</summary>
    public string? Operation { get; init; }

    /// <summary>Only entries about this resource.</summary>
    public string? Resource { get; init; }

    /// <summary>Only entries of this kind.</summary>
    public AuditActionKind? ActionKind { get; init; }

    /// <summary>Only entries with an id below this one (keyset paging).</summary>
    public long? BeforeId { get; init; }

    /// <summary>How many to skip.</summary>
    public int Offset { get; init; }

    /// <summary>How many at most.</summary>
    public int Limit { get; init; } = 1000;
}
