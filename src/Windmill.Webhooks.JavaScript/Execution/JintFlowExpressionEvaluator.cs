using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Jint;
using Jint.Native;
using Jint.Runtime;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.Flows;

namespace Windmill.Webhooks.JavaScript.Execution;

/// <summary>
/// Evaluates flow expressions in Jint, in the scripts' sandbox: no CLR, no modules, no <c>fetch</c>, no console, with the
/// limits of <see cref="JavaScriptOptions"/> and <see cref="JavaScriptOptions.ExpressionTimeout"/> as the time limit.
/// </summary>
internal sealed class JintFlowExpressionEvaluator(IOptions<JavaScriptOptions> options, TimeProvider time) : IFlowExpressionEvaluator
{
    private readonly JavaScriptOptions _options = options.Value;

    public ValueTask<JsonElement> EvaluateAsync(string expression, IReadOnlyDictionary<string, JsonElement> variables, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(variables);
        var timeout = _options.ExpressionTimeout;
        using var deadline = new CancellationTokenSource(timeout, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        using var engine = SandboxGlobals.CreateEngine(_options, timeout, stop.Token);
        try
        {
            foreach (var (name, value) in variables)
            {
                engine.SetValue(name, value.ValueKind == JsonValueKind.Undefined ? JsValue.Null : JintJavaScriptEngine.FromJson(engine, value));
            }

            var evaluated = engine.Evaluate(expression).UnwrapIfPromise(stop.Token);
            return ValueTask.FromResult(JintJavaScriptEngine.ToJson(engine, evaluated));
        }
        catch (Exception e) when (e is RegexMatchTimeoutException || e is OperationCanceledException or JintException && stop.IsCancellationRequested)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new FlowExpressionException(
                $"it ran longer than {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s, the expressions' time limit");
        }
        catch (JavaScriptException e)
        {
            throw new FlowExpressionException(Describe(e.Error, e.Message));
        }
        catch (Acornima.ParseErrorException e)
        {
            throw new FlowExpressionException($"SyntaxError: {e.Description}");
        }
        catch (Exception e) when (e is JintException or PromiseRejectedException)
        {
            throw new FlowExpressionException(e.Message);
        }
    }

    private static string Describe(JsValue error, string fallback)
    {
        try
        {
            return error is Jint.Native.Object.ObjectInstance thrown && thrown.Get("message") is { } message && !message.IsUndefined()
                ? $"{TypeConverter.ToString(thrown.Get("name"))}: {TypeConverter.ToString(message)}"
                : SandboxGlobals.Describe(error);
        }
        catch (Exception e) when (e is JintException or OperationCanceledException)
        {
            return fallback;
        }
    }
}
