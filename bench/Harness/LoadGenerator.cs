using System.Diagnostics;
using System.Net;
using System.Text;
using System.Threading.Channels;

namespace Windmill.Webhooks.Bench.Harness;

/// <summary>
/// The bench's own load generator, for what wrk cannot do:
/// <list type="bullet">
/// <item><b>closed</b>: C connections, each sending its next request when the last one was answered;</item>
/// <item><b>open</b>: requests sent at a fixed rate whatever the server does, each timed from the moment it
/// was due rather than the moment it went out, so a slow server cannot hide its tail (coordinated omission).</item>
/// </list>
/// Loopback only; every run is bounded in time.
/// </summary>
internal static class LoadGenerator
{
    public static async Task<Dictionary<string, object>> ClosedAsync(LoadSpec spec)
    {
        var (endpoint, request) = Prepare(spec);
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + Ticks(spec.Warmup);
        var stopAt = measureFrom + Ticks(spec.Duration);
        var lanes = Enumerable.Range(0, spec.Connections).Select(_ => new Lane(endpoint, request)).ToArray();
        await Task.WhenAll(lanes.Select(lane => Task.Run(async () =>
        {
            for (var sent = Stopwatch.GetTimestamp(); sent < stopAt; sent = Stopwatch.GetTimestamp())
            {
                await lane.SendAsync(sent, sent >= measureFrom, spec.ExpectedStatus, spec.ScriptTime).ConfigureAwait(false);
            }
        }))).ConfigureAwait(false);
        return Report(lanes, spec.Duration.TotalSeconds, new() { ["mode"] = "closed", ["conns"] = spec.Connections });
    }

    public static async Task<Dictionary<string, object>> OpenAsync(LoadSpec spec, double rate)
    {
        var (endpoint, request) = Prepare(spec);
        var due = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleWriter = true });
        var lanes = Enumerable.Range(0, spec.Connections).Select(_ => new Lane(endpoint, request)).ToArray();
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + Ticks(spec.Warmup);
        var total = (long)((spec.Warmup + spec.Duration).TotalSeconds * rate);
        var period = Stopwatch.Frequency / rate;
        var abandoned = 0L;
        using var giveUp = new CancellationTokenSource();
        var workers = lanes.Select(lane => Task.Run(async () =>
        {
            await foreach (var at in due.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                if (giveUp.IsCancellationRequested)
                {
                    Interlocked.Increment(ref abandoned);
                    continue;
                }

                await lane.SendAsync(at, at >= measureFrom, spec.ExpectedStatus, spec.ScriptTime).ConfigureAwait(false);
            }
        })).ToArray();

        // Request i is due at start + i/rate. A dedicated thread releases every request that is due, then
        // naps briefly; a nap that runs long only makes the server's numbers worse, never better.
        var scheduler = new Thread(() =>
        {
            for (long i = 0; i < total;)
            {
                var now = Stopwatch.GetTimestamp();
                for (long at; i < total && (at = start + (long)(i * period)) <= now; i++)
                {
                    due.Writer.TryWrite(at);
                }

                Nap.Microseconds(100);
            }

            due.Writer.Complete();
        })
        { IsBackground = true, Priority = ThreadPriority.AboveNormal };
        scheduler.Start();
        await Task.Run(scheduler.Join).ConfigureAwait(false);

        // A server that fell behind gets a bounded time to answer what was sent; requests still waiting
        // to go out after that are counted as abandoned, not timed, and make the run's figures invalid.
        var drained = Task.WhenAll(workers);
        if (await Task.WhenAny(drained, Task.Delay(spec.Duration)).ConfigureAwait(false) != drained)
        {
            await giveUp.CancelAsync().ConfigureAwait(false);
            await drained.ConfigureAwait(false);
        }

        return Report(lanes, spec.Duration.TotalSeconds,
            new() { ["mode"] = "open", ["conns"] = spec.Connections, ["offered"] = rate, ["abandoned"] = abandoned });
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static (IPEndPoint, byte[]) Prepare(LoadSpec spec)
    {
        var address = IPAddress.Parse(spec.Url.Host);
        if (!IPAddress.IsLoopback(address))
        {
            throw new ArgumentException("The load generator only targets loopback addresses.");
        }

        var head = $"POST {spec.Url.PathAndQuery} HTTP/1.1\r\nHost: {spec.Url.Authority}\r\nAuthorization: Bearer {spec.Token}\r\n"
            + $"Content-Type: application/json\r\nContent-Length: {spec.Body.Length}\r\n\r\n";
        return (new IPEndPoint(address, spec.Url.Port), [.. Encoding.ASCII.GetBytes(head), .. spec.Body]);
    }

    private static Dictionary<string, object> Report(Lane[] lanes, double seconds, Dictionary<string, object> result)
    {
        var latency = new Latencies();
        var overhead = new Latencies();
        foreach (var lane in lanes)
        {
            latency.AddRange(lane.Latency);
            overhead.AddRange(lane.Overhead);
            lane.Dispose();
        }

        result["requests"] = latency.Count;
        result["rps"] = Math.Round(latency.Count / seconds, 1);
        result["errors"] = lanes.Sum(l => l.Errors);
        result["unexpected"] = lanes.Sum(l => l.Unexpected);
        result["latencyMs"] = latency.Summary();
        if (overhead.Count > 0)
        {
            result["overheadMs"] = overhead.Summary();
            result["scriptMs"] = Math.Round(lanes.Sum(l => l.ScriptMicros) / overhead.Count / 1000, 3);
        }

        return result;
    }
}
