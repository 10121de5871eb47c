using System.Text.Json;

namespace Windmill.Webhooks.Flows;

/// <summary>A flow to deploy at a path (Windmill's <c>OpenFlowWPath</c>): what <see cref="StoredFlows"/> creates or updates.</summary>
public sealed record NewFlow
{
    /// <summary>The flow's path, such as <c>f/examples/greet</c>.</summary>
    public required string Path { get; init; }

    /// <summary>A one-line summary.</summary>
    public string Summary { get; init; } = "";

    /// <summary>A longer description.</summary>
    public string Description { get; init; } = "";

    /// <summary>The OpenFlow <c>FlowValue</c>.</summary>
    public required JsonElement Value { get; init; }

    /// <summary>The JSON schema of the flow's inputs.</summary>
    public JsonElement? Schema { get; init; }

    /// <summary>The deployment message, if any.</summary>
    public string? DeploymentMessage { get; init; }
}
