using System.Diagnostics;
using System.Text.Json;
using Windmill.Webhooks;
using Windmill.Webhooks.Flows;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.Bench.WindmillHost;

/// <summary>The scripts the bench calls.</summary>
internal static class BenchScripts
{
    private static long _completed;

    /// <summary>How many scripts have run in this process.</summary>
    public static long Completed => Interlocked.Read(ref _completed);

    /// <summary>The stored TypeScript twin of <c>u/bot/noop</c>, run in the JavaScript sandbox.</summary>
    public const string TypeScriptNoop = "u/bot/noop_ts";

    /// <summary>Stores <see cref="TypeScriptNoop"/> (again identical on later starts: no new version).</summary>
    public static async Task StoreTypeScriptNoopAsync(IServiceProvider services)
    {
        var admin = new Caller(TokenService.AdminUser) { IsSuperAdmin = true, IsAdmin = true };
        await services.GetRequiredService<StoredScripts>().CreateAsync("demo", new NewScript
        {
            Path = TypeScriptNoop,
            Language = "bun",
            Content = "export function main(): void {}\n",
        }, admin, CancellationToken.None);
    }

    /// <summary>A stored flow of three <c>u/bot/noop</c> steps, with no input transform: what the flow engine adds over its steps.</summary>
    public const string NoopFlow = "f/bench/noop3";

    public static WindmillWebhooksBuilder AddBenchScripts(this WindmillWebhooksBuilder builder) => builder
        .AddJavaScript()
        // Three no-op steps: what a flow costs over its steps. Registered in code, so replicas starting together deploy it once.
        .AddFlow(NoopFlow, flow => flow.Summary("Three no-op steps").Script("a", "u/bot/noop").Script("b", "u/bot/noop").Script("c", "u/bot/noop"))
        // Does nothing: what the webhook costs on its own.
        .AddScript("u/bot/noop", () => { Interlocked.Increment(ref _completed); })
        // Waits ms milliseconds and returns how long it really took, in microseconds, so the harness can
        // subtract the script's own time (timer slack included) from the latency it observes.
        .AddScript("u/bot/sleep", SleepAsync);

    private static async Task<double> SleepAsync(int ms, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(ms, cancellationToken);
        Interlocked.Increment(ref _completed);
        return Stopwatch.GetElapsedTime(started).TotalMicroseconds;
    }
}
