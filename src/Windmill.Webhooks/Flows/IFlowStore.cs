using Windmill.Webhooks.Audit;

namespace Windmill.Webhooks.Flows;

/// <summary>
/// Stores flows and their immutable versions. Each write takes the audit entry that records it: a store whose commits can
/// hold the entry (<see cref="CommitsWith"/>) writes both at once; otherwise it ignores the entry and its caller writes it.
/// </summary>
/// <remarks>Conformance: inherit <c>FlowStoreSpecification</c> from <c>Windmill.Webhooks.Specification.Tests</c>.</remarks>
public interface IFlowStore
{
    /// <summary>Whether this store's writes commit an audit entry for <paramref name="audit"/>.</summary>
    bool CommitsWith(IAuditSink audit);

    /// <summary>The newest version at <paramref name="path"/>, archived or not, or <see langword="null"/> when there is no flow there.</summary>
    ValueTask<FlowVersion?> GetLatestAsync(string workspace, string path, CancellationToken cancellationToken);

    /// <summary>Exactly the version with <paramref name="id"/>, or <see langword="null"/> (its flow was deleted, or it never existed).</summary>
    ValueTask<FlowVersion?> GetVersionAsync(string workspace, long id, CancellationToken cancellationToken);

    /// <summary>
    /// Adds <paramref name="version"/> (its <see cref="FlowVersion.Id"/> is ignored) as the newest of its path, with
    /// <paramref name="audit"/> in the same commit, and returns it with the id it was given. With
    /// <paramref name="expectedPrevious"/> <see langword="null"/> the path must have no flow (a create), otherwise its newest
    /// version must be that id (an update); when not, nothing is written and <see cref="FlowConflictException"/> is thrown.
    /// An update clears <see cref="FlowVersion.Archived"/>.
    /// </summary>
    ValueTask<FlowVersion> AddVersionAsync(FlowVersion version, long? expectedPrevious, AuditEntry? audit, CancellationToken cancellationToken);

    /// <summary>Sets whether the flow at <paramref name="path"/> is archived. Returns <see langword="false"/>, writing nothing, when there is none.</summary>
    ValueTask<bool> SetArchivedAsync(string workspace, string path, bool archived, AuditEntry? audit, CancellationToken cancellationToken);

    /// <summary>Deletes the flow at <paramref name="path"/> and every version of it. Returns <see langword="false"/>, writing nothing, when there is none.</summary>
    ValueTask<bool> DeleteAsync(string workspace, string path, AuditEntry? audit, CancellationToken cancellationToken);

    /// <summary>Every version deployed at <paramref name="path"/>, newest first.</summary>
    IAsyncEnumerable<FlowVersion> GetHistoryAsync(string workspace, string path, CancellationToken cancellationToken);

    /// <summary>The newest version of each flow that <paramref name="query"/> selects, ordered by path, one page of them.</summary>
    IAsyncEnumerable<FlowVersion> ListAsync(FlowQuery query, CancellationToken cancellationToken);
}
