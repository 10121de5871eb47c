using System.Text.Json;

namespace Windmill.Webhooks.Jobs;

/// <summary>
/// What a job runs, with which arguments, and for whom: the part of a job that is fixed when it is accepted, shared
/// by the request to run it (<see cref="NewJob"/>) and the job itself (<see cref="Job"/>).
/// </summary>
public abstract record JobDefinition
{
    /// <summary>The workspace.</summary>
    public required string Workspace { get; init; }

    /// <summary>What runs.</summary>
    public required Runnable Runnable { get; init; }

    /// <summary>The arguments, a JSON object.</summary>
    public required JsonElement Args { get; init; }

    /// <summary>The user (or token label) the job is shown as created by.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>Whose rights the job runs with, as <c>u/&lt;user&gt;</c>.</summary>
    public required string PermissionedAs { get; init; }

    /// <summary>What triggered the job, such as <c>webhook</c>.</summary>
    public string? TriggerKind { get; init; }
}
