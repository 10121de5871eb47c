namespace Windmill.Webhooks.Scripts;

/// <summary>Stores immutable script versions.</summary>
public interface IScriptStore
{
    /// <summary>The newest non-archived version at <paramref name="path"/>, or <see langword="null"/>.</summary>
    ValueTask<ScriptVersion?> GetLatestAsync(string workspace, string path, CancellationToken cancellationToken);

    /// <summary>Exactly the version with <paramref name="hash"/>, archived or not, or <see langword="null"/>.</summary>
    ValueTask<ScriptVersion?> GetByHashAsync(string workspace, ScriptHash hash, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a version and, in the same commit, archives its parent.
    /// Throws <see cref="ScriptVersionConflictException"/> when the hash already exists in the workspace.
    /// </summary>
    ValueTask AddVersionAsync(ScriptVersion version, CancellationToken cancellationToken);

    /// <summary>Archives one version. Returns <see langword="false"/> when it does not exist.</summary>
    ValueTask<bool> ArchiveAsync(string workspace, ScriptHash hash, CancellationToken cancellationToken);

    /// <summary>Every version ever deployed at <paramref name="path"/>, newest first.</summary>
    IAsyncEnumerable<ScriptVersion> GetHistoryAsync(string workspace, string path, CancellationToken cancellationToken);

    /// <summary>The latest non-archived version of every path in the workspace, ordered by path.</summary>
    IAsyncEnumerable<ScriptVersion> ListAsync(string workspace, CancellationToken cancellationToken);
}
