using System.Text.Json;
using Windmill.Webhooks.Flows;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// Windmill's <c>OpenFlowWPath</c>, the body of <c>POST flows/create</c>, and its <c>EditFlow</c>, the body of <c>POST flows/update/…</c>
/// (where the path may be left out). Their other fields (tag, priority, dedicated worker, labels, on-behalf-of…) are read past:
/// they mean nothing here.
/// </summary>
internal sealed record NewFlowJson(
    string? Path,
    string? Summary,
    string? Description,
    JsonElement? Value,
    JsonElement? Schema,
    string? DeploymentMessage)
{
    /// <summary>The core's <see cref="NewFlow"/> (at <paramref name="defaultPath"/> when the body names none), or why it cannot be one.</summary>
    public (NewFlow? Flow, string? Error) ToNewFlow(string? defaultPath)
    {
        var error = this switch
        {
            { Path: null } when defaultPath is null => "invalid json: missing field `path`",
            { Value: null or { ValueKind: JsonValueKind.Null } } => "invalid json: missing field `value`",
            { Value: { ValueKind: not JsonValueKind.Object } } => "invalid value: expected a JSON object (an OpenFlow FlowValue)",
            { Schema: { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) } } => "invalid schema: expected a JSON object",
            _ => null,
        };
        if (error is not null)
        {
            return (null, error);
        }

        return (new NewFlow
        {
            Path = Path ?? defaultPath!,
            Summary = Summary ?? "",
            Description = Description ?? "",
            Value = Value!.Value,
            Schema = Schema is { ValueKind: JsonValueKind.Object } schema ? schema : null,
            DeploymentMessage = DeploymentMessage,
        }, null);
    }
}
