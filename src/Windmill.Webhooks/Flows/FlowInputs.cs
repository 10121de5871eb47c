using System.Text.Json;
using System.Text.Json.Nodes;

namespace Windmill.Webhooks.Flows;

/// <summary>A step's inputs in a <see cref="FlowBuilder"/>: OpenFlow's <c>input_transforms</c>, static values or JavaScript expressions.</summary>
public sealed class FlowInputs
{
    internal JsonObject Transforms { get; } = [];

    /// <summary>Input <paramref name="name"/> is <paramref name="value"/>, serialized as JSON.</summary>
    public FlowInputs Static(string name, object? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Transforms[name] = new JsonObject { ["type"] = "static", ["value"] = JsonSerializer.SerializeToNode(value, JsonSerializerOptions.Web) };
        return this;
    }

    /// <summary>
    /// Input <paramref name="name"/> is what <paramref name="javascript"/> evaluates to when the step starts; it sees
    /// <c>flow_input</c>, <c>results.&lt;step id&gt;</c>, <c>previous_result</c> and, in loops, <c>flow_input.iter</c>.
    /// </summary>
    public FlowInputs Expression(string name, string javascript)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(javascript);
        Transforms[name] = new JsonObject { ["type"] = "javascript", ["expr"] = javascript };
        return this;
    }
}
