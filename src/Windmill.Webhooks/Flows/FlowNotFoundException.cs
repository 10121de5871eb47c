namespace Windmill.Webhooks.Flows;

/// <summary>
/// Thrown when no flow answers a path in a workspace (none, or, to run it, only an archived one). Nothing was written; the
/// HTTP layer answers <c>404 Not found: &lt;message&gt;</c>.
/// </summary>
public sealed class FlowNotFoundException : Exception
{
    /// <summary>Creates the exception with Windmill's text for <paramref name="path"/>: <c>Flow not found at name &lt;path&gt;</c>.</summary>
    public FlowNotFoundException(string workspace, string path)
        : this(workspace, path, $"Flow not found at name {path}")
    {
    }

    /// <summary>Creates the exception with the text that the operation has in Windmill.</summary>
    public FlowNotFoundException(string workspace, string path, string message)
        : base(message)
    {
        Workspace = workspace;
        Path = path;
    }

    /// <summary>The workspace.</summary>
    public string Workspace { get; }

    /// <summary>The path asked for.</summary>
    public string Path { get; }
}
