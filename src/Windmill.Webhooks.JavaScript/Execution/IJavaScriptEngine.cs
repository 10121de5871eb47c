using Windmill.Webhooks.Execution;

namespace Windmill.Webhooks.JavaScript.Execution;

/// <summary>
/// Runs the <c>main</c> of a JavaScript module in a sandbox. The default engine is Jint; register another one
/// (a V8 binding, say) with <c>services.AddSingleton&lt;IJavaScriptEngine, MyEngine&gt;()</c> to replace it.
/// </summary>
public interface IJavaScriptEngine
{
    /// <summary>
    /// Runs <paramref name="run"/>'s module and returns its outcome: the JSON of what <c>main</c> returned, or the error it
    /// threw or the limit it reached, with what it logged. Throws <see cref="OperationCanceledException"/> only when
    /// <paramref name="cancellationToken"/> fired.
    /// </summary>
    ValueTask<JobOutcome> RunAsync(JavaScriptRun run, CancellationToken cancellationToken);
}
