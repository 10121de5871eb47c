using System.Text.Json;

namespace Windmill.Webhooks.Flows;

/// <summary>Checks an OpenFlow value before it is stored. (Placeholder until the flow engine lands: accepts everything.)</summary>
internal sealed class FlowValidator
{
    /// <summary>Throws <see cref="FlowDefinitionException"/> when <paramref name="value"/> cannot be stored at <paramref name="path"/>.</summary>
    public ValueTask ValidateAsync(string workspace, string path, JsonElement value, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
