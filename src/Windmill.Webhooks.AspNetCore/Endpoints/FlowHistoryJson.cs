namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>An item of Windmill's <c>flows/history/p/{path}</c> (its <c>FlowVersion</c>), newest first; no message, no field.</summary>
internal sealed record FlowHistoryJson(long Id, DateTimeOffset CreatedAt, string? DeploymentMsg);
