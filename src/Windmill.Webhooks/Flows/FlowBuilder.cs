using System.Text.Json;
using System.Text.Json.Nodes;

namespace Windmill.Webhooks.Flows;

/// <summary>
/// Builds an OpenFlow definition in C#, for <c>AddFlow(path, flow =&gt; …)</c>: each call adds a step, in order. What it builds
/// is the same JSON that <c>flows/create</c> takes, checked the same way when the host starts; <see cref="Module"/> adds any
/// OpenFlow module this builder has no method for.
/// </summary>
/// <example>
/// <code>
/// flow.Script("greet", "u/bot/hello_world", inputs =&gt; inputs.Expression("name", "flow_input.name"))
///     .RawScript("shout", "bun", "export function main(s: string) { return s.toUpperCase() }",
///         inputs =&gt; inputs.Expression("s", "previous_result"));
/// </code>
/// </example>
public sealed class FlowBuilder
{
    private readonly JsonArray _modules = [];

    internal FlowBuilder()
    {
    }

    internal string? SummaryText { get; private set; }

    /// <summary>The flow's one-line summary.</summary>
    public FlowBuilder Summary(string summary)
    {
        SummaryText = summary;
        return this;
    }

    /// <summary>A step that runs the script at <paramref name="path"/> (stored, or registered in code with <c>AddScript</c>).</summary>
    public FlowBuilder Script(string id, string path, Action<FlowInputs>? inputs = null) =>
        Step(id, new JsonObject { ["type"] = "script", ["path"] = path, ["input_transforms"] = Inputs(inputs) });

    /// <summary>A step that runs inline code: a module exporting <c>main</c>, in <paramref name="language"/> (<c>bun</c>, <c>deno</c>, <c>nativets</c>, <c>javascript</c>).</summary>
    public FlowBuilder RawScript(string id, string language, string content, Action<FlowInputs>? inputs = null) =>
        Step(id, new JsonObject { ["type"] = "rawscript", ["language"] = language, ["content"] = content, ["input_transforms"] = Inputs(inputs) });

    /// <summary>A step that runs the flow at <paramref name="path"/> as a sub-flow.</summary>
    public FlowBuilder Flow(string id, string path, Action<FlowInputs>? inputs = null) =>
        Step(id, new JsonObject { ["type"] = "flow", ["path"] = path, ["input_transforms"] = Inputs(inputs) });

    /// <summary>
    /// A loop over the array that <paramref name="iterator"/> (JavaScript) evaluates to: <paramref name="body"/>'s steps run once per
    /// item, which they read as <c>flow_input.iter.value</c> (and <c>flow_input.iter.index</c>); the step's result is the array of
    /// the iterations' results. Sequential unless <paramref name="parallelism"/> is set.
    /// </summary>
    public FlowBuilder ForLoop(string id, string iterator, Action<FlowBuilder> body, int? parallelism = null, bool skipFailures = false)
    {
        ArgumentNullException.ThrowIfNull(body);
        var inner = new FlowBuilder();
        body(inner);
        var loop = new JsonObject
        {
            ["type"] = "forloopflow",
            ["iterator"] = new JsonObject { ["type"] = "javascript", ["expr"] = iterator },
            ["modules"] = inner._modules,
            ["skip_failures"] = skipFailures,
            ["parallel"] = parallelism is not null,
        };
        if (parallelism is { } n)
        {
            loop["parallelism"] = n;
        }

        return Step(id, loop);
    }

    /// <summary>A step that passes the previous step's result on.</summary>
    public FlowBuilder Identity(string id) => Step(id, new JsonObject { ["type"] = "identity" });

    /// <summary>Any OpenFlow <c>FlowModule</c> (<c>{"id", "value", …options}</c>), as JSON: branches, while loops, retries, mocks….</summary>
    public FlowBuilder Module(string moduleJson)
    {
        _modules.Add(JsonNode.Parse(moduleJson) ?? throw new ArgumentException("The module is JSON null.", nameof(moduleJson)));
        return this;
    }

    internal JsonElement Build() => JsonSerializer.SerializeToElement(new JsonObject { ["modules"] = _modules.DeepClone() });

    private FlowBuilder Step(string id, JsonObject value)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        _modules.Add(new JsonObject { ["id"] = id, ["value"] = value });
        return this;
    }

    private static JsonObject Inputs(Action<FlowInputs>? configure)
    {
        var inputs = new FlowInputs();
        configure?.Invoke(inputs);
        return inputs.Transforms;
    }
}
