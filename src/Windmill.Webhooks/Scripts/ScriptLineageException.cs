namespace Windmill.Webhooks.Scripts;

/// <summary>
/// Thrown by <see cref="IScriptStore.AddVersionAsync"/> when a version's parent is not the head of its path (another version
/// was deployed there first): lineage is linear. Nothing was written.
/// </summary>
public sealed class ScriptLineageException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="path"/>, whose head is <paramref name="head"/>.</summary>
    public ScriptLineageException(string workspace, string path, ScriptHash head)
        : base($"The head of {path} in workspace {workspace} is {head}: a new version there must name it as its parent.")
    {
        Workspace = workspace;
        Path = path;
        Head = head;
    }

    /// <summary>The workspace.</summary>
    public string Workspace { get; }

    /// <summary>The path.</summary>
    public string Path { get; }

    /// <summary>The path's current head.</summary>
    public ScriptHash Head { get; }
}
