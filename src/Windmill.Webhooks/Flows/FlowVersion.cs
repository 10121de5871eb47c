using System.Text.Json;

namespace Windmill.Webhooks.Flows;

/// <summary>
/// One immutable version of a flow: Windmill's OpenFlow definition (<see cref="Value"/>) deployed at a path. Updating a flow
/// adds a version; a flow job runs the definition of the version it was started with, whatever is deployed later.
/// </summary>
public sealed record FlowVersion
{
    /// <summary>The workspace that owns the flow.</summary>
    public required string Workspace { get; init; }

    /// <summary>The flow's path, such as <c>f/examples/greet</c>.</summary>
    public required string Path { get; init; }

    /// <summary>The version's id, unique in the workspace (Windmill's <c>flow_version.id</c>).</summary>
    public required long Id { get; init; }

    /// <summary>A one-line summary.</summary>
    public string Summary { get; init; } = "";

    /// <summary>A longer description.</summary>
    public string Description { get; init; } = "";

    /// <summary>The OpenFlow <c>FlowValue</c>: <c>modules</c>, <c>failure_module</c>, <c>early_return</c>, ….</summary>
    public required JsonElement Value { get; init; }

    /// <summary>The JSON schema of the flow's inputs.</summary>
    public JsonElement? Schema { get; init; }

    /// <summary>Who deployed this version.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>When this version was deployed.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The deployment message, if any.</summary>
    public string? DeploymentMessage { get; init; }

    /// <summary>Whether the flow is archived (it no longer runs by path).</summary>
    public bool Archived { get; init; }
}
