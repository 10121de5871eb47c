namespace Windmill.Webhooks.Flows;

/// <summary>Which flows <see cref="IFlowStore.ListAsync"/> lists: Windmill's <c>flows/list</c> filters, and a page.</summary>
public sealed record FlowQuery
{
    /// <summary>The workspace.</summary>
    public required string Workspace { get; init; }

    /// <summary>Only paths that start with this text.</summary>
    public string? PathStart { get; init; }

    /// <summary>Only this path.</summary>
    public string? PathExact { get; init; }

    /// <summary>Only flows whose newest version was deployed by this user.</summary>
    public string? CreatedBy { get; init; }

    /// <summary><see langword="false"/> (default): flows that are not archived; <see langword="true"/>: archived ones only.</summary>
    public bool Archived { get; init; }

    /// <summary>How many matching flows to skip.</summary>
    public int Offset { get; init; }

    /// <summary>The most flows to return.</summary>
    public int Limit { get; init; } = int.MaxValue;
}
