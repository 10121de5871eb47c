using System.Text.Json;

namespace Windmill.Webhooks.Flows;

/// <summary>A flow registered with <c>AddFlow</c>; deployed at start-up by <see cref="FlowCatalog"/>. The definition is read then (a file, say).</summary>
internal sealed record CodeFlowRegistration(string Path, Func<(JsonElement Value, string Summary, JsonElement? Schema)> Load);
