using System.Text.Json;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Flows;

/// <summary>Checks an OpenFlow value before it is stored. (Placeholder until the flow engine lands: accepts everything.)</summary>
internal sealed class FlowValidator(IScriptStore scripts, IFlowStore flows)
{
    /// <summary>Throws <see cref="FlowDefinitionException"/> when <paramref name="value"/> cannot be stored at <paramref name="path"/>.</summary>
    public ValueTask ValidateAsync(string workspace, string path, JsonElement value, CancellationToken cancellationToken) =>
        scripts is null || flows is null ? throw new InvalidOperationException() : ValueTask.CompletedTask;
}
