using System.Text.Json;

namespace Windmill.Webhooks.Flows;

/// <summary>
/// Evaluates the JavaScript expressions of flows: input transforms, <c>skip_if</c>, <c>stop_after_if</c>, branch
/// conditions and loop iterators. <c>AddJavaScript()</c> registers one that runs them in the scripts' sandbox; without
/// it, flows run with static inputs only.
/// </summary>
public interface IFlowExpressionEvaluator
{
    /// <summary>
    /// Evaluates <paramref name="expression"/> where each of <paramref name="variables"/> (<c>flow_input</c>,
    /// <c>results</c>, <c>previous_result</c>, …) is a global, and returns its value as JSON (<c>undefined</c> as
    /// <c>null</c>). Throws <see cref="FlowExpressionException"/>, saying why, when the expression does not parse, throws
    /// or reaches a limit.
    /// </summary>
    ValueTask<JsonElement> EvaluateAsync(string expression, IReadOnlyDictionary<string, JsonElement> variables, CancellationToken cancellationToken);
}
