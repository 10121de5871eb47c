namespace Windmill.Webhooks.Scripts;

/// <summary>Thrown when a script version with the same hash already exists.</summary>
public sealed class ScriptVersionConflictException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="hash"/>.</summary>
    public ScriptVersionConflictException(string workspace, ScriptHash hash)
        : base($"A script with hash {hash} already exists in workspace {workspace}.")
    {
        Workspace = workspace;
        Hash = hash;
    }

    /// <summary>The workspace.</summary>
    public string Workspace { get; }

    /// <summary>The conflicting hash.</summary>
    public ScriptHash Hash { get; }
}
