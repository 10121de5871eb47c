// The system under test: an ASP.NET Core host with MapWindmillWebhooks() over SQLite (or PostgreSQL with
// `--Bench:Postgres=<Npgsql connection string> --Bench:Schema=<schema>`), as an application would have it. `--Bench:Mode=serve` (default) answers HTTP; `--Bench:Mode=drain` measures the job
// runner alone: it queues Bench:Jobs no-op jobs with the runner stopped, then starts it and times the drain
// (on PostgreSQL with `Bench:Replicas` runners, each with its own pool and notifier, as separate hosts would be).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Windmill.Webhooks.Bench.WindmillHost;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Tokens;

var configuration = new ConfigurationBuilder().AddCommandLine(args).Build();
var postgres = configuration["Bench:Postgres"];
var schema = configuration["Bench:Schema"] ?? "windmill";
var database = configuration["Bench:Db"] ?? (postgres is null ? throw new InvalidOperationException("Bench:Db or Bench:Postgres is required.") : "");
var synchronous = configuration["Bench:Synchronous"] ?? "FULL";
var connectionString = $"Data Source={database}";
var store = new BenchStore(connectionString, synchronous, postgres, schema);

if (configuration["Bench:Mode"] == "drain")
{
    var jobs = int.Parse(configuration["Bench:Jobs"] ?? "20000", CultureInfo.InvariantCulture);
    var payload = configuration["Bench:Payload"] ?? "{}";
    var script = configuration["Bench:Script"] ?? "u/bot/noop";
    var replicas = int.Parse(configuration["Bench:Replicas"] ?? "1", CultureInfo.InvariantCulture);
    Console.WriteLine(JsonSerializer.Serialize(await Drain.RunAsync(store, jobs, payload, script, replicas)));
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
store.Use(builder.Services
    .AddWindmillWebhooks(options =>
    {
        options.AdminToken = builder.Configuration["Bench:AdminToken"];
        options.MaxQueuedJobsPerWorkspace = null; // the bench measures how fast jobs are accepted and run, not the cap's 429s
    }))
    .AddBenchScripts();

var app = builder.Build();
app.MapWindmillWebhooks();

// For the harness only: memory, and how many jobs are still to run.
app.MapGet("/bench/stats", async () =>
{
    var (rss, peak) = ProcessMemory.Read();
    var unfinished = await store.CountUnfinishedAsync();
    var (flowJobs, flowFamilyJobs) = await store.CountFlowJobsAsync();
    return Results.Json(new
    {
        rss,
        peak,
        gcHeap = GC.GetGCMemoryInfo().HeapSizeBytes,
        unfinished,
        completed = BenchScripts.Completed,
        flowJobs,
        flowFamilyJobs,
    });
});

await app.StartAsync();
await BenchScripts.StoreTypeScriptNoopAsync(app.Services);

// A stored token, the kind a real webhook caller presents. The bench prints it for the harness: it is
// minted into this run's throwaway database and dies with it.
var tokens = app.Services.GetRequiredService<TokenService>();
var (token, _) = await tokens.CreateAsync(new NewTokenRequest { Owner = "bench", Label = "bench" }, CancellationToken.None);
Console.WriteLine($"bench-token {token}");
Console.Out.Flush();
await app.WaitForShutdownAsync();

/// <summary>The runner's drain rate, measured without HTTP.</summary>
internal static class Drain
{
    public static async Task<object> RunAsync(BenchStore store, int jobs, string payload, string script, int replicas)
    {
        using var args = JsonDocument.Parse(payload);
        var caller = new Caller("bench");

        // 1. Queue the jobs with the runner stopped: nothing runs yet.
        using var self = Process.GetCurrentProcess();
        var fillCpu = self.TotalProcessorTime;
        var fillWatch = Stopwatch.StartNew();
        await using (var services = Build(store))
        {
            await BenchScripts.StoreTypeScriptNoopAsync(services);
            var runs = services.GetRequiredService<JobRuns>();
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
            {
                while (Interlocked.Increment(ref next) < jobs)
                {
                    await runs.RunScriptAsync("demo", script, args.RootElement, caller, JobOptions.None, CancellationToken.None);
                }
            })));
        }

        var fillSeconds = fillWatch.Elapsed.TotalSeconds;
        self.Refresh();
        fillCpu = self.TotalProcessorTime - fillCpu;

        // 2. Start the runners over the same database (they resume the queued jobs) and time until none is left.
        var runners = Enumerable.Range(0, replicas).Select(_ => Build(store)).ToList();
        var hosted = runners.SelectMany(runner => runner.GetServices<IHostedService>()).ToList();

        self.Refresh();
        var cpu = self.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        while (await store.CountUnfinishedAsync() > 0)
        {
            await Task.Delay(5);
        }

        var seconds = watch.Elapsed.TotalSeconds;
        self.Refresh();
        cpu = self.TotalProcessorTime - cpu;
        foreach (var service in hosted)
        {
            await service.StopAsync(CancellationToken.None);
        }

        foreach (var runner in runners)
        {
            await runner.DisposeAsync();
        }

        // CPU time per job is steadier than the rates on a machine shared with other work.
        return new
        {
            replicas,
            jobs,
            seconds,
            jobsPerSecond = jobs / seconds,
            cpuUsPerJob = cpu.TotalMicroseconds / jobs,
            fillSeconds,
            fillJobsPerSecond = jobs / fillSeconds,
            fillCpuUsPerJob = fillCpu.TotalMicroseconds / jobs,
        };
    }

    private static ServiceProvider Build(BenchStore store)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddConsole().SetMinimumLevel(LogLevel.Warning));
        // The drain measures a backlog larger than the default queue cap on purpose.
        store.Use(services.AddWindmillWebhooksCore(options => options.MaxQueuedJobsPerWorkspace = null)).AddBenchScripts();
        return services.BuildServiceProvider();
    }
}
