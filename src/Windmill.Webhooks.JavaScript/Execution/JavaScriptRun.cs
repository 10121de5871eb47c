using System.Text.Json;

namespace Windmill.Webhooks.JavaScript.Execution;

/// <summary>One run of a script's <c>main</c>.</summary>
/// <param name="ModuleKey">
/// Names the module's code for as long as the process lives: an engine prepares the module once per key and reuses it.
/// </param>
/// <param name="LoadCode">The module's JavaScript (types already stripped); called only when the key is not prepared yet.</param>
/// <param name="Args">The job's arguments, a JSON object, bound to <c>main</c>'s parameters by name.</param>
public sealed record JavaScriptRun(string ModuleKey, Func<string> LoadCode, JsonElement Args)
{
    /// <summary>What <c>process.env</c> holds (Windmill's <c>WM_*</c> job variables).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>How long the run may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
}
