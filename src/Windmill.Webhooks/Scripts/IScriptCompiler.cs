namespace Windmill.Webhooks.Scripts;

/// <summary>
/// Checks and prepares the source of stored scripts in some languages, once per version, when the version is created.
/// Register one per runtime with <c>AddWindmillWebhooks().AddScriptCompiler&lt;T&gt;()</c>; a language that no
/// compiler <see cref="Compiles"/> cannot be stored.
/// </summary>
public interface IScriptCompiler
{
    /// <summary>Whether this compiler takes scripts in <paramref name="language"/>, in Windmill's vocabulary (<c>bun</c>, <c>deno</c>, <c>nativets</c>, <c>javascript</c>, …).</summary>
    bool Compiles(string language);

    /// <summary>
    /// Checks <paramref name="content"/> and prepares it to run. Throws <see cref="ScriptCompilationException"/> for content
    /// that cannot run (a syntax error with its line and column, a refused import, no <c>main</c>); nothing is stored then.
    /// </summary>
    ScriptCompilation Compile(string language, string content);
}
