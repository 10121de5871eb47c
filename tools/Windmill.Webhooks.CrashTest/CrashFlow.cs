using System.Globalization;
using System.Text.Json.Nodes;

namespace Windmill.Webhooks.CrashTest;

/// <summary>
/// The flow that <c>--flows</c> runs: three steps, each a code-registered script of the sample, so each step is a job of
/// its own that the tool's triggers record (<see cref="JobTransitions"/>) like any script run. Step <c>a</c> greets the
/// nonce, step <c>b</c> sleeps (so a kill often finds a flow with <c>a</c> done and <c>b</c> running), step <c>c</c>
/// echoes both results: the flow's result shows that results taken in before a kill reach the steps run after it.
/// Each step runs a different script, so a flow's jobs for one step are its child jobs with that script's path.
/// </summary>
internal static class CrashFlow
{
    public const string Path = "f/crash/three_steps";

    /// <summary>The scripts of steps <c>a</c>, <c>b</c> and <c>c</c>, in order.</summary>
    public static readonly IReadOnlyList<string> StepScripts = ["u/bot/hello_world", "u/bot/sleep", "u/bot/echo"];

    /// <summary>The body of <c>POST flows/create</c>.</summary>
    public const string NewFlow = """
        {"path":"f/crash/three_steps","summary":"Crash test: greet, sleep, echo","description":"","schema":{},"value":{"modules":[
          {"id":"a","value":{"type":"script","path":"u/bot/hello_world","input_transforms":{"name":{"type":"javascript","expr":"flow_input.nonce"}}}},
          {"id":"b","value":{"type":"script","path":"u/bot/sleep","input_transforms":{"ms":{"type":"javascript","expr":"flow_input.ms"}}}},
          {"id":"c","value":{"type":"script","path":"u/bot/echo","input_transforms":{
            "nonce":{"type":"javascript","expr":"flow_input.nonce"},
            "greeting":{"type":"javascript","expr":"results.a"},
            "slept":{"type":"javascript","expr":"results.b"}}}}
        ]}}
        """;

    public static JsonObject Args(string nonce, int sleepMs) => new() { ["nonce"] = nonce, ["ms"] = sleepMs };

    /// <summary>What a flow run with <see cref="Args"/> must end with: step <c>c</c>'s echo of the nonce and of steps <c>a</c> and <c>b</c>.</summary>
    public static JsonObject Result(string nonce, int sleepMs) =>
        new() { ["nonce"] = nonce, ["greeting"] = string.Create(CultureInfo.InvariantCulture, $"Hello, {nonce}!"), ["slept"] = sleepMs };
}
