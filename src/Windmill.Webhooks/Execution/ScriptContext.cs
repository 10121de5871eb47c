using System.Text.Json;
using Microsoft.Extensions.Logging;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Execution;

/// <summary>
/// What a running script knows about its job. Declare a parameter of this type on a handler
/// registered with <c>AddScript</c> to receive it.
/// </summary>
public sealed class ScriptContext
{
    internal ScriptContext(Guid jobId, string workspace, string scriptPath, ScriptHash scriptHash, string createdBy,
        string permissionedAs, JsonElement args, ILogger logger)
    {
        JobId = jobId;
        Workspace = workspace;
        ScriptPath = scriptPath;
        ScriptHash = scriptHash;
        CreatedBy = createdBy;
        PermissionedAs = permissionedAs;
        Args = args;
        Logger = logger;
    }

    /// <summary>The job's id.</summary>
    public Guid JobId { get; }

    /// <summary>The workspace.</summary>
    public string Workspace { get; }

    /// <summary>The script's path.</summary>
    public string ScriptPath { get; }

    /// <summary>The version that runs.</summary>
    public ScriptHash ScriptHash { get; }

    /// <summary>Who triggered the job (a user, or a token label).</summary>
    public string CreatedBy { get; }

    /// <summary>Whose rights the job runs with, as <c>u/&lt;user&gt;</c>.</summary>
    public string PermissionedAs { get; }

    /// <summary>All arguments as received, a JSON object.</summary>
    public JsonElement Args { get; }

    /// <summary>A logger whose lines go to the host's logs and to the job's <c>logs</c>.</summary>
    public ILogger Logger { get; }
}
