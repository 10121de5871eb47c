using Windmill.Webhooks.Audit;

namespace Windmill.Webhooks.Scripts;

/// <summary>
/// Stores immutable script versions. Each write takes the audit entry that records it: a store whose commits can hold the
/// entry (<see cref="CommitsWith"/>) writes both at once; otherwise it ignores the entry and its caller writes it afterwards.
/// </summary>
public interface IScriptStore
{
    /// <summary>Whether this store's writes commit an audit entry for <paramref name="audit"/> (the sink keeps its log in this store).</summary>
    bool CommitsWith(IAuditSink audit);

    /// <summary>The newest non-archived version at <paramref name="path"/> (the path's head), or <see langword="null"/>.</summary>
    ValueTask<ScriptVersion?> GetLatestAsync(string workspace, string path, CancellationToken cancellationToken);

    /// <summary>Exactly the version with <paramref name="hash"/>, archived or not, or <see langword="null"/>.</summary>
    ValueTask<ScriptVersion?> GetByHashAsync(string workspace, ScriptHash hash, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a version as the new head of its path and, in the same commit, archives its parent (and writes
    /// <paramref name="audit"/>, when <see cref="CommitsWith"/> the sink). Lineage is linear: when the path has a head, the
    /// version's <see cref="ScriptVersion.ParentHash"/> must be that head. Throws <see cref="ScriptVersionConflictException"/>
    /// when the hash already exists in the workspace, else <see cref="ScriptLineageException"/> when the parent is not the
    /// head; nothing is written then.
    /// </summary>
    ValueTask AddVersionAsync(ScriptVersion version, AuditEntry? audit, CancellationToken cancellationToken);

    /// <summary>Archives one version (it still runs by hash). Returns <see langword="false"/>, writing nothing, when it does not exist.</summary>
    ValueTask<bool> ArchiveAsync(string workspace, ScriptHash hash, AuditEntry? audit, CancellationToken cancellationToken);

    /// <summary>
    /// Archives every version at <paramref name="path"/>: the path has no head any more, and each version still runs by hash.
    /// Returns <see langword="false"/>, writing nothing, when the path has no version.
    /// </summary>
    ValueTask<bool> ArchivePathAsync(string workspace, string path, AuditEntry? audit, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes every version at <paramref name="path"/>: none of their hashes is found any more. Returns <see langword="false"/>,
    /// writing nothing, when the path has no version.
    /// </summary>
    ValueTask<bool> DeletePathAsync(string workspace, string path, AuditEntry? audit, CancellationToken cancellationToken);

    /// <summary>Every version ever deployed at <paramref name="path"/> and not deleted, newest first.</summary>
    IAsyncEnumerable<ScriptVersion> GetHistoryAsync(string workspace, string path, CancellationToken cancellationToken);

    /// <summary>The newest version of each path that <paramref name="query"/> selects, ordered by path, one page of them.</summary>
    IAsyncEnumerable<ScriptVersion> ListAsync(ScriptQuery query, CancellationToken cancellationToken);
}
