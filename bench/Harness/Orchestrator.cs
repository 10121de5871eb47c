using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Windmill.Webhooks.Bench.Harness;

/// <summary>
/// Runs every measurement of the bench in one go, against servers it starts itself on loopback, and
/// returns the figures as one JSON object. <c>--quick</c> shortens every phase (CI smoke check, under 3 minutes).
/// </summary>
internal sealed class Orchestrator
{
    private const string AsyncPath = "/api/w/demo/jobs/run/p/u/bot/noop";
    private const string SyncNoopPath = "/api/w/demo/jobs/run_wait_result/p/u/bot/noop";
    private const string SyncNoopTypeScriptPath = "/api/w/demo/jobs/run_wait_result/p/u/bot/noop_ts";
    private const string SyncSleepPath = "/api/w/demo/jobs/run_wait_result/p/u/bot/sleep";
    private const string SyncFlowPath = "/api/w/demo/jobs/run_wait_result/f/f/bench/noop3";

    private readonly Plan _plan;
    private readonly string _bench;
    private readonly string _work;
    private readonly string _adminToken = RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 32);
    private readonly string _body;
    private readonly string _body10;
    private readonly string _sleepBody;

    private readonly string? _postgres;

    public Orchestrator(bool quick, string benchDirectory, string? postgres)
    {
        _postgres = postgres;
        _plan = quick ? Plan.Quick : Plan.Full;
        _bench = Path.GetFullPath(benchDirectory);
        // On the repository's disk, not a tmpfs: fsync must cost what it costs.
        _work = Path.Combine(_bench, ".work", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(_work);
        _body = WriteBody("body.json", Payloads.Event(1));
        _body10 = WriteBody("body10.json", Payloads.Event(10));
        _sleepBody = WriteBody("sleep.json", """{"ms":50}""");
    }

    private string WindmillDll => Dll("WindmillHost", "Windmill.Webhooks.Bench.WindmillHost");

    private string CeilingDll => Dll("Ceiling", "Windmill.Webhooks.Bench.Ceiling");

    private string HangfireDll => Dll("HangfireHost", "Windmill.Webhooks.Bench.HangfireHost");

    public async Task<JsonObject> RunAsync()
    {
        try
        {
            return await MeasureAsync().ConfigureAwait(false);
        }
        finally
        {
            // The databases can be large after a soak; the server logs stay for a look.
            foreach (var file in Directory.EnumerateFiles(_work).Where(f => f.Contains(".db", StringComparison.Ordinal)))
            {
                File.Delete(file);
            }
        }
    }

    private async Task<JsonObject> MeasureAsync()
    {
        var clock = Stopwatch.StartNew();
        var results = new JsonObject
        {
            ["bench"] = _plan.Name,
            ["machine"] = Machine.Describe(),
            ["sqliteCommitMs"] = CommitProbe(),
        };

        results["ceiling"] = await CeilingAsync(_body, cpus: null, loadCpus: null, full: true).ConfigureAwait(false);
        results["windmill"] = await WindmillAsync("FULL", _body, cpus: null, loadCpus: null, Suite.All).ConfigureAwait(false);
        results["hangfire"] = await HangfireAsync().ConfigureAwait(false);
        results["drain"] = await DrainAsync("FULL", cpus: null).ConfigureAwait(false);
        results["drainTypeScript"] = await DrainAsync("FULL", cpus: null, "u/bot/noop_ts").ConfigureAwait(false);
        results["hangfireDrain"] = await HangfireDrainAsync().ConfigureAwait(false);
        results["memory"] = await SoakAsync().ConfigureAwait(false);
        if (_postgres is not null)
        {
            results["postgres"] = await PostgreSqlAsync(_postgres).ConfigureAwait(false);
        }

        if (_plan.Scaling)
        {
            results["scaling"] = new JsonObject
            {
                // Server on core 0, load generator on core 1.
                ["oneCore"] = new JsonObject
                {
                    ["ceiling"] = await CeilingAsync(_body, cpus: "0", loadCpus: "1", full: false).ConfigureAwait(false),
                    ["windmill"] = await WindmillAsync("FULL", _body, cpus: "0", loadCpus: "1", Suite.Scaling).ConfigureAwait(false),
                    ["drain"] = await DrainAsync("FULL", cpus: "0").ConfigureAwait(false),
                },
                ["synchronousNormal"] = new JsonObject
                {
                    ["windmill"] = await WindmillAsync("NORMAL", _body, cpus: null, loadCpus: null, Suite.Scaling).ConfigureAwait(false),
                    ["drain"] = await DrainAsync("NORMAL", cpus: null).ConfigureAwait(false),
                },
                ["payload10x"] = new JsonObject
                {
                    ["bodyBytes"] = new FileInfo(_body10).Length,
                    ["ceiling"] = await CeilingAsync(_body10, cpus: null, loadCpus: null, full: false).ConfigureAwait(false),
                    ["windmill"] = await WindmillAsync("FULL", _body10, cpus: null, loadCpus: null, Suite.Scaling).ConfigureAwait(false),
                },
            };
        }

        results["machine"]!["loadAverageAtEnd"] = Machine.LoadAverage();
        results["summary"] = Summary(results);
        results["warnings"] = Warnings(results);
        results["targets"] = Targets.Evaluate(results["summary"]!.AsObject());
        results["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1);
        return results;
    }

    private async Task<JsonObject> CeilingAsync(string body, string? cpus, string? loadCpus, bool full)
    {
        Progress($"ceiling{(cpus is null ? "" : $" (cpus {cpus})")}: bearer check + JSON parse + UUID, no job");
        using var server = await ServerProcess.StartAsync(CeilingDll, [$"--Bench:Token={_adminToken}"], FreePort(), "/bench/ready", cpus,
            Log("ceiling")).ConfigureAwait(false);
        var url = new Uri(server.Origin, AsyncPath);
        await Wrk.RunAsync(_bench, url, _adminToken, body, 32, _plan.Warmup, loadCpus).ConfigureAwait(false);
        var result = new JsonObject { ["c32"] = await MeasureWrkAsync(server, url, _adminToken, body, 32, _plan.Throughput, loadCpus).ConfigureAwait(false) };
        if (full)
        {
            result["c1"] = await MeasureWrkAsync(server, url, _adminToken, body, 1, _plan.Short, loadCpus).ConfigureAwait(false);
        }

        return result;
    }

    private async Task<JsonObject> WindmillAsync(string synchronous, string body, string? cpus, string? loadCpus, Suite suite)
    {
        Progress($"windmill webhooks (synchronous={synchronous}{(cpus is null ? "" : $", cpus {cpus}")}, body {new FileInfo(body).Length} B)");
        var database = Path.Combine(_work, $"windmill-{synchronous}-{Guid.NewGuid():N}.db");
        using var server = await ServerProcess.StartAsync(WindmillDll,
            [$"--Bench:Db={database}", $"--Bench:Synchronous={synchronous}", $"--Bench:AdminToken={_adminToken}"],
            FreePort(), "/bench/stats", cpus, Log($"windmill-{synchronous}")).ConfigureAwait(false);
        var token = await server.TokenAsync().ConfigureAwait(false);
        var asyncUrl = new Uri(server.Origin, AsyncPath);
        var result = new JsonObject();
        using var affinity = LoadAffinity.Pin(loadCpus);

        await Wrk.RunAsync(_bench, asyncUrl, token, body, 32, _plan.Warmup, loadCpus).ConfigureAwait(false);
        await WaitForBacklogAsync(server).ConfigureAwait(false);
        result["asyncC32"] = await MeasureWrkAsync(server, asyncUrl, token, body, 32, _plan.Throughput, loadCpus).ConfigureAwait(false);
        result["asyncC32Backlog"] = await WaitForBacklogAsync(server).ConfigureAwait(false);
        if (suite == Suite.All)
        {
            result["asyncC1"] = await MeasureWrkAsync(server, asyncUrl, token, body, 1, _plan.Short, loadCpus).ConfigureAwait(false);
            await WaitForBacklogAsync(server).ConfigureAwait(false);
            // The same check as the ceiling's: the configured admin token is a hash compare, no token lookup.
            result["asyncC32AdminToken"] = await MeasureWrkAsync(server, asyncUrl, _adminToken, body, 32, _plan.Short, loadCpus).ConfigureAwait(false);
            await WaitForBacklogAsync(server).ConfigureAwait(false);
        }

        Progress("  open loop: 5,000 req/s offered");
        result["open5k"] = ToJson(await LoadGenerator.OpenAsync(Spec(asyncUrl, token, body, 64, 201, _plan.Open, scriptTime: false), 5000).ConfigureAwait(false));
        result["open5kBacklog"] = await WaitForBacklogAsync(server).ConfigureAwait(false);

        Progress("  sync: no-op script, 1 caller");
        result["syncNoopC1"] = ToJson(await LoadGenerator.ClosedAsync(Spec(new Uri(server.Origin, SyncNoopPath), token, body, 1, 200, _plan.Sync, scriptTime: true)).ConfigureAwait(false));
        if (suite == Suite.All)
        {
            // Right after the no-op script's phase, so that both see the same machine: the flow's overhead is read against it.
            Progress("  sync: 3-step flow of no-op steps, 1 caller");
            result["syncFlow3C1"] = ToJson(await LoadGenerator.ClosedAsync(
                Spec(new Uri(server.Origin, SyncFlowPath), token, body, 1, 200, _plan.Sync, scriptTime: false)).ConfigureAwait(false));
            result["syncFlow3C1"]!["jobsPerCall"] = await JobsPerFlowCallAsync(server).ConfigureAwait(false);
            Progress("  sync: stored TypeScript no-op script, 1 caller");
            result["syncNoopTypeScriptC1"] = ToJson(await LoadGenerator.ClosedAsync(
                Spec(new Uri(server.Origin, SyncNoopTypeScriptPath), token, body, 1, 200, _plan.Sync, scriptTime: true)).ConfigureAwait(false));
        }

        if (suite == Suite.All)
        {
            Progress("  sync: no-op script, 32 callers");
            result["syncNoopC32"] = ToJson(await LoadGenerator.ClosedAsync(Spec(new Uri(server.Origin, SyncNoopPath), token, body, 32, 200, _plan.Sync, scriptTime: true)).ConfigureAwait(false));
            Progress("  sync: 50 ms script, 32 callers");
            result["syncSleep50C32"] = ToJson(await LoadGenerator.ClosedAsync(Spec(new Uri(server.Origin, SyncSleepPath), token, _sleepBody, 32, 200, _plan.Sync, scriptTime: true)).ConfigureAwait(false));
            Progress("  sync: 50 ms script, 1 caller");
            result["syncSleep50C1"] = ToJson(await LoadGenerator.ClosedAsync(Spec(new Uri(server.Origin, SyncSleepPath), token, _sleepBody, 1, 200, _plan.Sync, scriptTime: true)).ConfigureAwait(false));
        }

        result["stats"] = JsonNode.Parse(await server.GetAsync("/bench/stats").ConfigureAwait(false));
        return result;
    }

    private async Task<JsonObject> HangfireAsync()
    {
        var result = new JsonObject();
        foreach (var withServer in new[] { true, false })
        {
            Progress($"hangfire: same check and parse, then BackgroundJobClient.Enqueue (SQLite, WAL, synchronous=FULL), "
                + (withServer ? "a 32-worker server running beside it, as deployed" : "no server running"));
            var database = Path.Combine(_work, $"hangfire-{Guid.NewGuid():N}.db");
            using var server = await ServerProcess.StartAsync(HangfireDll,
                [$"--Bench:Db={database}", $"--Bench:Token={_adminToken}", $"--Bench:Server={(withServer ? "true" : "false")}"],
                FreePort(), "/bench/ready", null, Log("hangfire")).ConfigureAwait(false);
            var url = new Uri(server.Origin, AsyncPath);
            await Wrk.RunAsync(_bench, url, _adminToken, _body, 32, _plan.Warmup, null).ConfigureAwait(false);
            var suffix = withServer ? "" : "NoServer";
            result["c32" + suffix] = await MeasureWrkAsync(server, url, _adminToken, _body, 32, _plan.Throughput, null).ConfigureAwait(false);
            result["c1" + suffix] = await MeasureWrkAsync(server, url, _adminToken, _body, 1, _plan.Short, null).ConfigureAwait(false);
        }

        return result;
    }

    private async Task<JsonNode> DrainAsync(string synchronous, string? cpus, string script = "u/bot/noop")
    {
        Progress($"drain: {_plan.DrainJobs} no-op jobs of {script} queued, then the runner started (synchronous={synchronous}{(cpus is null ? "" : $", cpus {cpus}")})");
        var database = Path.Combine(_work, $"drain-{synchronous}-{Guid.NewGuid():N}.db");
        return await RunToolAsync(WindmillDll, cpus, "--Bench:Mode=drain", $"--Bench:Db={database}", $"--Bench:Synchronous={synchronous}",
            $"--Bench:Jobs={_plan.DrainJobs}", $"--Bench:Payload={await File.ReadAllTextAsync(_body).ConfigureAwait(false)}", $"--Bench:Script={script}")
            .ConfigureAwait(false);
    }

    // Several replicas on one PostgreSQL database, all on this machine: async accepts (one host, then two, each with its own wrk)
    // and the drain of a backlog (one runner, then two, each with its own pool and notifier). Each phase has a schema of its own.
    private async Task<JsonObject> PostgreSqlAsync(string postgres)
    {
        var result = new JsonObject();
        foreach (var replicas in new[] { 1, 2 })
        {
            Progress($"postgres: async accepts with {replicas} replica(s), {32 / replicas} connections each");
            var schema = $"bench_accept_{replicas}_{Guid.NewGuid():N}"[..32];
            var servers = new List<ServerProcess>();
            try
            {
                for (var i = 0; i < replicas; i++)
                {
                    servers.Add(await ServerProcess.StartAsync(WindmillDll,
                        [$"--Bench:Postgres={postgres}", $"--Bench:Schema={schema}", $"--Bench:AdminToken={_adminToken}"],
                        FreePort(), "/bench/stats", null, Log($"postgres-{replicas}-{i}")).ConfigureAwait(false));
                }

                var urls = servers.ConvertAll(server => new Uri(server.Origin, AsyncPath));
                await Task.WhenAll(urls.Select(url => Wrk.RunAsync(_bench, url, _adminToken, _body, 32 / replicas, _plan.Warmup, null))).ConfigureAwait(false);
                await WaitForBacklogAsync(servers[0]).ConfigureAwait(false);
                var cpuBefore = servers.ConvertAll(server => server.CpuTime());
                var runs = await Task.WhenAll(urls.Select(url => Wrk.RunAsync(_bench, url, _adminToken, _body, 32 / replicas, _plan.PostgreSqlThroughput, null)))
                    .ConfigureAwait(false);
                var cpu = servers.Select((server, i) => (server.CpuTime() - cpuBefore[i]).TotalMicroseconds).Sum();
                var requests = runs.Sum(run => run["requests"]!.GetValue<long>());
                var seconds = runs.Max(run => run["seconds"]!.GetValue<double>());
                result[$"accept{replicas}"] = new JsonObject
                {
                    ["replicas"] = replicas,
                    ["requests"] = requests,
                    ["rps"] = Math.Round(requests / seconds, 1),
                    ["non2xx"] = runs.Sum(run => run["non2xx"]?.GetValue<long>() ?? 0),
                    ["serverCpuUsPerRequest"] = requests == 0 ? null : Math.Round(cpu / requests, 1),
                    ["p50Ms"] = runs.Max(run => run["latencyMs"]?["p50"]?.GetValue<double>()),
                    ["p99Ms"] = runs.Max(run => run["latencyMs"]?["p99"]?.GetValue<double>()),
                    ["backlog"] = await WaitForBacklogAsync(servers[0]).ConfigureAwait(false),
                };
            }
            finally
            {
                servers.ForEach(server => server.Dispose());
            }

            Progress($"postgres: drain of {_plan.PostgreSqlDrainJobs} no-op jobs with {replicas} runner(s)");
            var drainSchema = $"bench_drain_{replicas}_{Guid.NewGuid():N}"[..32];
            result[$"drain{replicas}"] = await RunToolAsync(WindmillDll, null, "--Bench:Mode=drain", $"--Bench:Postgres={postgres}",
                $"--Bench:Schema={drainSchema}", $"--Bench:Replicas={replicas}", $"--Bench:Jobs={_plan.PostgreSqlDrainJobs}",
                $"--Bench:Payload={await File.ReadAllTextAsync(_body).ConfigureAwait(false)}").ConfigureAwait(false);
        }

        return result;
    }

    private async Task<JsonNode> HangfireDrainAsync()
    {
        Progress($"hangfire drain: {_plan.HangfireDrainJobs} no-op jobs queued, then a server with 32 workers started");
        return await RunToolAsync(HangfireDll, null, "--Bench:Mode=drain", $"--Bench:Db={Path.Combine(_work, "hangfire-drain.db")}",
            $"--Bench:Jobs={_plan.HangfireDrainJobs}", $"--Bench:MaxSeconds={_plan.HangfireDrainLimit.TotalSeconds}", $"--Bench:Payload={await File.ReadAllTextAsync(_body).ConfigureAwait(false)}").ConfigureAwait(false);
    }

    private async Task<JsonObject> SoakAsync()
    {
        Progress($"memory soak: {_plan.SoakRate} async req/s offered for {_plan.Soak.TotalSeconds} s");
        var database = Path.Combine(_work, "soak.db");
        using var server = await ServerProcess.StartAsync(WindmillDll, [$"--Bench:Db={database}", $"--Bench:AdminToken={_adminToken}"],
            FreePort(), "/bench/stats", null, Log("soak")).ConfigureAwait(false);
        var token = await server.TokenAsync().ConfigureAwait(false);
        var samples = new List<(double Seconds, long Rss)>();
        var clock = Stopwatch.StartNew();
        var load = LoadGenerator.OpenAsync(Spec(new Uri(server.Origin, AsyncPath), token, _body, 64, 201, (TimeSpan.Zero, _plan.Soak), scriptTime: false), _plan.SoakRate);
        while (!load.IsCompleted)
        {
            samples.Add((clock.Elapsed.TotalSeconds, server.Memory().Rss));
            await Task.WhenAny(load, Task.Delay(1000)).ConfigureAwait(false);
        }

        var loadResult = ToJson(await load.ConfigureAwait(false));
        var backlog = await WaitForBacklogAsync(server).ConfigureAwait(false);
        var (rss, peak) = server.Memory();
        var stats = JsonNode.Parse(await server.GetAsync("/bench/stats").ConfigureAwait(false))!;

        static double Mb(double bytes) => Math.Round(bytes / (1024 * 1024), 1);
        static double Median(IEnumerable<long> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
        }

        // After the first fifth (start-up, JIT, pools filling): the second quarter against the last quarter, and the slope.
        var n = samples.Count;
        var early = Median(samples.Skip(n / 4).Take(n / 4).Select(s => s.Rss));
        var late = Median(samples.Skip(3 * n / 4).Select(s => s.Rss));
        var settled = samples.Skip(n / 5).ToArray();
        var slope = Slope(settled) * 60; // bytes per minute
        return new JsonObject
        {
            ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
            ["offered"] = _plan.SoakRate,
            ["jobs"] = stats["completed"]?.GetValue<long>(),
            ["peakRssMb"] = Mb(peak),
            ["earlyRssMb"] = Mb(early),
            ["steadyRssMb"] = Mb(late),
            ["endRssMb"] = Mb(rss),
            ["growthMb"] = Mb(late - early),
            ["slopeMbPerMin"] = Math.Round(slope / (1024 * 1024), 2),
            ["gcHeapMbAtEnd"] = Mb(stats["gcHeap"]!.GetValue<long>()),
            ["backlogAfter"] = backlog,
            ["load"] = loadResult,
            ["rssSamplesMb"] = new JsonArray(samples.Where((_, i) => i % Math.Max(1, n / 30) == 0).Select(s => (JsonNode)Mb(s.Rss)).ToArray()),
        };
    }

    private static double Slope((double X, long Y)[] points)
    {
        if (points.Length < 2)
        {
            return 0;
        }

        var meanX = points.Average(p => p.X);
        var meanY = points.Average(p => (double)p.Y);
        var covariance = points.Sum(p => (p.X - meanX) * (p.Y - meanY));
        var variance = points.Sum(p => (p.X - meanX) * (p.X - meanX));
        return variance == 0 ? 0 : covariance / variance;
    }

    private async Task<JsonObject> MeasureWrkAsync(ServerProcess server, Uri url, string token, string body, int connections, TimeSpan duration, string? loadCpus)
    {
        Progress($"  wrk: {connections} connection(s), {duration.TotalSeconds} s");
        var cpuBefore = server.CpuTime();
        var result = await Wrk.RunAsync(_bench, url, token, body, connections, duration, loadCpus).ConfigureAwait(false);
        var cpu = server.CpuTime() - cpuBefore;
        var requests = result["requests"]!.GetValue<long>();
        // Server CPU per request: steadier than wall-clock rates on a machine shared with other work.
        result["serverCpuUsPerRequest"] = requests == 0 ? null : Math.Round(cpu.TotalMicroseconds / requests, 1);
        result["serverCpuCores"] = Math.Round(cpu.TotalSeconds / result["seconds"]!.GetValue<double>(), 2);
        return result;
    }

    /// <summary>Waits until every accepted job has run, so one phase's backlog does not weigh on the next.</summary>
    private async Task<JsonObject> WaitForBacklogAsync(ServerProcess server)
    {
        var clock = Stopwatch.StartNew();
        var first = JsonNode.Parse(await server.GetAsync("/bench/stats").ConfigureAwait(false))!["unfinished"]!.GetValue<long>();
        var unfinished = first;
        while (unfinished > 0 && clock.Elapsed < _plan.BacklogTimeout)
        {
            await Task.Delay(50).ConfigureAwait(false);
            unfinished = JsonNode.Parse(await server.GetAsync("/bench/stats").ConfigureAwait(false))!["unfinished"]!.GetValue<long>();
        }

        return new JsonObject { ["jobs"] = first, ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 2), ["left"] = unfinished };
    }

    // How many jobs one flow call made (the flow and its steps), from the host's counts: the flow phase's sanity check.
    private static async Task<JsonNode?> JobsPerFlowCallAsync(ServerProcess server)
    {
        var stats = JsonNode.Parse(await server.GetAsync("/bench/stats").ConfigureAwait(false))!;
        var flows = stats["flowJobs"]!.GetValue<long>();
        return flows == 0 ? null : Math.Round(stats["flowFamilyJobs"]!.GetValue<long>() / (double)flows, 2);
    }

    private static async Task<JsonNode> RunToolAsync(string dll, string? cpus, params string[] args)
    {
        var start = ServerProcess.DotnetStartInfo(dll, cpus, args);

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {dll}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(dll)} {string.Join(' ', args.Take(1))} ran longer than 5 minutes.");
        }

        var text = await output.ConfigureAwait(false);
        var line = text.Split('\n').LastOrDefault(l => l.StartsWith('{'));
        return line is not null && process.ExitCode == 0
            ? JsonNode.Parse(line)!
            : throw new InvalidOperationException($"{Path.GetFileName(dll)} failed ({process.ExitCode}): {text}{await errors.ConfigureAwait(false)}");
    }

    private static JsonObject Summary(JsonObject r)
    {
        double? Get(string path)
        {
            JsonNode? node = r;
            foreach (var part in path.Split('.'))
            {
                node = node?[part];
            }

            return node?.GetValue<double>();
        }

        static double? Max(double? a, double? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
        static double? Minus(double? a, double? b, int times) => a is { } x && b is { } y ? Math.Round(x - (times * y), 3) : null;
        double? Ratio(double? a, double? b) => a is { } x && b is { } y && y != 0 ? Math.Round(x / y, 3) : null;
        var summary = new JsonObject
        {
            ["ceilingRps"] = Get("ceiling.c32.rps"),
            ["asyncC32Rps"] = Get("windmill.asyncC32.rps"),
            ["asyncC32P50Ms"] = Get("windmill.asyncC32.latencyMs.p50"),
            ["asyncC32P99Ms"] = Get("windmill.asyncC32.latencyMs.p99"),
            ["asyncC32OfCeiling"] = Ratio(Get("windmill.asyncC32.rps"), Get("ceiling.c32.rps")),
            ["asyncC32AdminTokenRps"] = Get("windmill.asyncC32AdminToken.rps"),
            ["asyncC1Rps"] = Get("windmill.asyncC1.rps"),
            ["asyncC1P50Ms"] = Get("windmill.asyncC1.latencyMs.p50"),
            ["asyncC1P99Ms"] = Get("windmill.asyncC1.latencyMs.p99"),
            ["ceilingC1Rps"] = Get("ceiling.c1.rps"),
            ["open5kAchievedRps"] = Get("windmill.open5k.rps"),
            ["open5kP50Ms"] = Get("windmill.open5k.latencyMs.p50"),
            ["open5kP99Ms"] = Get("windmill.open5k.latencyMs.p99"),
            ["open5kP999Ms"] = Get("windmill.open5k.latencyMs.p999"),
            ["syncNoopC1OverheadP50Ms"] = Get("windmill.syncNoopC1.overheadMs.p50"),
            ["syncNoopC1OverheadP99Ms"] = Get("windmill.syncNoopC1.overheadMs.p99"),
            ["syncNoopTypeScriptC1OverheadP50Ms"] = Get("windmill.syncNoopTypeScriptC1.overheadMs.p50"),
            // Issue 11: a trivial stored TypeScript script next to a code-registered .NET one; within 2x is the aim.
            ["typeScriptSyncOverheadRatio"] = Ratio(Get("windmill.syncNoopTypeScriptC1.overheadMs.p50"), Get("windmill.syncNoopC1.overheadMs.p50")),
            // Issue 12: a 3-step flow of no-op steps against three sync calls of the no-op script, one caller each (bench/README.md).
            ["flow3SyncC1P50Ms"] = Get("windmill.syncFlow3C1.latencyMs.p50"),
            ["flow3SyncC1P99Ms"] = Get("windmill.syncFlow3C1.latencyMs.p99"),
            ["flow3OverheadP50Ms"] = Minus(Get("windmill.syncFlow3C1.latencyMs.p50"), Get("windmill.syncNoopC1.latencyMs.p50"), 3),
            ["flow3OverheadP99Ms"] = Minus(Get("windmill.syncFlow3C1.latencyMs.p99"), Get("windmill.syncNoopC1.latencyMs.p50"), 3),
            ["flow3OverOneCallP50Ms"] = Minus(Get("windmill.syncFlow3C1.latencyMs.p50"), Get("windmill.syncNoopC1.latencyMs.p50"), 1),
            ["syncNoopC32OverheadP50Ms"] = Get("windmill.syncNoopC32.overheadMs.p50"),
            ["syncNoopC32OverheadP99Ms"] = Get("windmill.syncNoopC32.overheadMs.p99"),
            ["syncSleep50C32OverheadP50Ms"] = Get("windmill.syncSleep50C32.overheadMs.p50"),
            ["syncSleep50C32OverheadP99Ms"] = Get("windmill.syncSleep50C32.overheadMs.p99"),
            ["syncSleep50C1OverheadP50Ms"] = Get("windmill.syncSleep50C1.overheadMs.p50"),
            ["hangfireC32Rps"] = Get("hangfire.c32.rps"),
            ["hangfireC32NoServerRps"] = Get("hangfire.c32NoServer.rps"),
            ["hangfireC32OfCeiling"] = Ratio(Get("hangfire.c32.rps"), Get("ceiling.c32.rps")),
            // Against Hangfire's better figure of the two, so the comparison cannot flatter us.
            ["asyncC32OverHangfire"] = Ratio(Get("windmill.asyncC32.rps"), Max(Get("hangfire.c32.rps"), Get("hangfire.c32NoServer.rps"))),
            ["drainJobsPerSecond"] = Get("drain.jobsPerSecond") is { } d ? Math.Round(d) : null,
            ["drainTypeScriptJobsPerSecond"] = Get("drainTypeScript.jobsPerSecond") is { } t ? Math.Round(t) : null,
            ["typeScriptDrainRatio"] = Ratio(Get("drain.jobsPerSecond"), Get("drainTypeScript.jobsPerSecond")),
            ["hangfireDrainJobsPerSecond"] = Get("hangfireDrain.jobsPerSecond") is { } h ? Math.Round(h, 1) : null,
            ["memoryPeakMb"] = Get("memory.peakRssMb"),
            ["memorySteadyMb"] = Get("memory.steadyRssMb"),
            ["memoryGrowthMb"] = Get("memory.growthMb"),
            ["memorySlopeMbPerMin"] = Get("memory.slopeMbPerMin"),
            ["memorySoakSeconds"] = Get("memory.seconds"),
            ["sqliteCommitP50Ms"] = Get("sqliteCommitMs.full.p50"),
        };
        return summary;
    }

    /// <summary>What makes figures of this run suspect: failed requests, requests never sent, jobs left unrun, a busy machine.</summary>
    private static JsonArray Warnings(JsonObject results)
    {
        var warnings = new JsonArray();
        void Walk(JsonNode? node, string path)
        {
            if (node is not JsonObject obj)
            {
                return;
            }

            foreach (var (name, value) in obj)
            {
                var where = path.Length == 0 ? name : $"{path}.{name}";
                if (name is "non2xx" or "socketErrors" or "timeouts" or "errors" or "unexpected" or "abandoned" or "left"
                    && value is JsonValue v && v.TryGetValue<double>(out var count) && count > 0)
                {
                    warnings.Add($"{where} = {count}");
                }

                Walk(value, where);
            }
        }

        Walk(results, "");
        var machine = results["machine"]!;
        var cores = machine["cores"]!.GetValue<int>();
        foreach (var key in new[] { "loadAverageAtStart", "loadAverageAtEnd" })
        {
            if (machine[key]?.GetValue<double>() is { } load && load > cores)
            {
                warnings.Add($"machine.{key} = {load} on {cores} cores: other work was running; prefer the ratios to the same-run ceiling");
            }
        }

        if (!Wrk.Available)
        {
            warnings.Add("wrk was not installed: closed-loop figures come from the harness's own generator");
        }

        return warnings;
    }

    private JsonObject CommitProbe()
    {
        // What one fsync'd SQLite commit costs on this disk right now: the floor under every durable write.
        var result = new JsonObject();
        foreach (var mode in new[] { "FULL", "NORMAL" })
        {
            var path = Path.Combine(_work, $"probe-{mode}.db");
            using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
            {
                connection.Open();
                Execute(connection, $"PRAGMA journal_mode = WAL; PRAGMA synchronous = {mode}; CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT);");
                var times = new List<double>();
                for (var i = 0; i < 200; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    Execute(connection, "BEGIN IMMEDIATE; INSERT INTO t (b) VALUES ('0123456789012345678901234567890123456789'); COMMIT;");
                    times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }

                times.Sort();
                result[mode.ToLowerInvariant()] = new JsonObject
                {
                    ["p50"] = Math.Round(times[times.Count / 2], 3),
                    ["p90"] = Math.Round(times[times.Count * 9 / 10], 3),
                };
            }

            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(path + suffix);
            }
        }

        return result;

        static void Execute(SqliteConnection connection, string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
    }

    private static LoadSpec Spec(Uri url, string token, string bodyFile, int connections, int status, (TimeSpan Warmup, TimeSpan Duration) time, bool scriptTime) =>
        new(url, token, File.ReadAllBytes(bodyFile), connections, time.Warmup, time.Duration, status, scriptTime);

    // A phase that got no expected answer has no latencies (NaN): written as "NaN", never a crash of the whole run.
    private static readonly JsonSerializerOptions PhaseJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private static JsonNode ToJson(Dictionary<string, object> result) => JsonSerializer.SerializeToNode(result, PhaseJson)!;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private string Dll(string project, string assembly) => Path.Combine(_bench, project, "bin", "Release", "net10.0", assembly + ".dll");

    private string Log(string name) => Path.Combine(_work, $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)] + ".log");

    private string WriteBody(string name, string content)
    {
        var path = Path.Combine(_work, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    private static void Progress(string message) =>
        Console.Error.WriteLine($"[{DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}] {message}");

    private enum Suite
    {
        All,
        Scaling,
    }
}
