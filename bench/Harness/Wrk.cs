using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Windmill.Webhooks.Bench.Harness;

/// <summary>Runs wrk (closed loop: each connection sends its next request when the last was answered) with bench/post.lua.</summary>
internal static class Wrk
{
    public static async Task<JsonObject> RunAsync(string benchDirectory, Uri url, string token, string bodyFile, int connections,
        TimeSpan duration, string? cpus)
    {
        var start = new ProcessStartInfo(cpus is null ? "wrk" : "taskset")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (cpus is not null)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(cpus);
            start.ArgumentList.Add("wrk");
        }

        foreach (var arg in new[]
        {
            $"-t{Math.Min(connections, 2)}", $"-c{connections}", $"-d{Math.Max(1, (int)Math.Round(duration.TotalSeconds))}s",
            "--timeout", "10s", "--latency", "-s", Path.Combine(benchDirectory, "post.lua"), url.ToString(),
        })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["BENCH_TOKEN"] = token;
        start.Environment["BENCH_BODY_FILE"] = bodyFile;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start wrk.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        var line = (await output.ConfigureAwait(false)).Split('\n').FirstOrDefault(l => l.StartsWith("wrk-json ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no result: {await errors.ConfigureAwait(false)}");
        return JsonNode.Parse(line["wrk-json ".Length..])!.AsObject();
    }
}
