using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Windmill.Webhooks.Bench.Harness;

/// <summary>Runs wrk (closed loop: each connection sends its next request when the last was answered) with bench/post.lua.</summary>
internal static class Wrk
{
    private static readonly Lazy<bool> Installed = new(() => Environment.GetEnvironmentVariable("PATH")?.Split(':')
        .Any(directory => File.Exists(Path.Combine(directory, "wrk"))) == true);

    /// <summary>Whether wrk is on the PATH; without it the harness's own closed-loop generator stands in.</summary>
    public static bool Available => Installed.Value;

    public static async Task<JsonObject> RunAsync(string benchDirectory, Uri url, string token, string bodyFile, int connections,
        TimeSpan duration, string? cpus)
    {
        if (!Available)
        {
            return await FallbackAsync(url, token, bodyFile, connections, duration, cpus).ConfigureAwait(false);
        }

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

    // The same figures from LoadGenerator.ClosedAsync, in wrk's shape, when wrk could not be installed.
    private static async Task<JsonObject> FallbackAsync(Uri url, string token, string bodyFile, int connections, TimeSpan duration, string? cpus)
    {
        using var affinity = LoadAffinity.Pin(cpus);
        var result = await LoadGenerator.ClosedAsync(new LoadSpec(url, token, await File.ReadAllBytesAsync(bodyFile).ConfigureAwait(false),
            connections, TimeSpan.Zero, duration, 0, false)).ConfigureAwait(false);
        var latency = System.Text.Json.JsonSerializer.SerializeToNode(result["latencyMs"])!;
        return new JsonObject
        {
            ["requests"] = (int)result["requests"],
            ["seconds"] = duration.TotalSeconds,
            ["rps"] = (double)result["rps"],
            ["non2xx"] = 0,
            ["socketErrors"] = (long)result["errors"],
            ["timeouts"] = 0,
            ["latencyMs"] = latency,
            ["generator"] = "harness (wrk not installed)",
        };
    }
}
