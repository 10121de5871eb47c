namespace Windmill.Webhooks.Scripts;

/// <summary>
/// Thrown when no script version answers a path (none, or only archived ones) or a hash in a workspace. Nothing was
/// written; the HTTP layer answers <c>404</c>.
/// </summary>
public sealed class ScriptNotFoundException : Exception
{
    /// <summary>Creates the exception for a path.</summary>
    public ScriptNotFoundException(string workspace, string path)
        : base($"Script not found at name {path}")
    {
        Workspace = workspace;
        Path = path;
    }

    /// <summary>Creates the exception for a hash.</summary>
    public ScriptNotFoundException(string workspace, ScriptHash hash)
        : base($"Script not found at hash {hash}")
    {
        Workspace = workspace;
        Hash = hash;
    }

    /// <summary>The workspace.</summary>
    public string Workspace { get; }

    /// <summary>The path asked for, or <see langword="null"/> when a hash was.</summary>
    public string? Path { get; }

    /// <summary>The hash asked for, or <see langword="null"/> when a path was.</summary>
    public ScriptHash? Hash { get; }
}
