using System.Text.Json;

namespace Windmill.Webhooks.Flows;

/// <summary>OpenFlow's <c>InputTransform</c>: a <c>static</c> value, or a <c>javascript</c> expression evaluated when the step starts.</summary>
internal sealed record InputTransform(JsonElement? Value, string? Expression)
{
    public static InputTransform Static(JsonElement value) => new(value, null);

    public static InputTransform JavaScript(string expression) => new(null, expression);
}
