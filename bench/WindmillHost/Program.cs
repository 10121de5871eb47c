// The system under test: an ASP.NET Core host with MapWindmillWebhooks() over SQLite, as an application
// would have it. `--Bench:Mode=serve` (default) answers HTTP; `--Bench:Mode=drain` measures the job
// runner alone: it queues Bench:Jobs no-op jobs with the runner stopped, then starts it and times the drain.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Windmill.Webhooks.Bench.WindmillHost;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Tokens;

var configuration = new ConfigurationBuilder().AddCommandLine(args).Build();
var database = configuration["Bench:Db"] ?? throw new InvalidOperationException("Bench:Db is required.");
var synchronous = configuration["Bench:Synchronous"] ?? "FULL";
var connectionString = $"Data Source={database}";

if (configuration["Bench:Mode"] == "drain")
{
    var jobs = int.Parse(configuration["Bench:Jobs"] ?? "20000", CultureInfo.InvariantCulture);
    var payload = configuration["Bench:Payload"] ?? "{}";
    var script = configuration["Bench:Script"] ?? "u/bot/noop";
    Console.WriteLine(JsonSerializer.Serialize(await Drain.RunAsync(connectionString, synchronous, jobs, payload, script)));
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
builder.Services
    .AddWindmillWebhooks(options =>
    {
        options.AdminToken = builder.Configuration["Bench:AdminToken"];
        options.MaxQueuedJobsPerWorkspace = null; // the bench measures how fast jobs are accepted and run, not the cap's 429s
    })
    .UseSqlite(connectionString, sqlite => sqlite.Synchronous = synchronous)
    .AddBenchScripts();

var app = builder.Build();
app.MapWindmillWebhooks();

// For the harness only: memory, and how many jobs are still to run.
app.MapGet("/bench/stats", async () =>
{
    var (rss, peak) = ProcessMemory.Read();
    await using var connection = new SqliteConnection(connectionString);
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = "SELECT count(*) FROM job WHERE status IN ('queued', 'running')";
    var unfinished = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    // Flow jobs, and the flow jobs with their steps: how many jobs a flow call makes.
    command.CommandText = "SELECT count(*) FILTER (WHERE kind = 'flow'), count(*) FILTER (WHERE kind = 'flow' OR flow_step = 1) FROM job";
    long flowJobs, flowFamilyJobs;
    await using (var reader = await command.ExecuteReaderAsync())
    {
        await reader.ReadAsync();
        (flowJobs, flowFamilyJobs) = (reader.GetInt64(0), reader.GetInt64(1));
    }

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
await BenchScripts.StoreNoopFlowAsync(app.Services);

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
    public static async Task<object> RunAsync(string connectionString, string synchronous, int jobs, string payload, string script)
    {
        using var args = JsonDocument.Parse(payload);
        var caller = new Caller("bench");

        // 1. Queue the jobs with the runner stopped: nothing runs yet.
        using var self = Process.GetCurrentProcess();
        var fillCpu = self.TotalProcessorTime;
        var fillWatch = Stopwatch.StartNew();
        await using (var services = Build(connectionString, synchronous))
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

        // 2. Start the runner over the same database (it resumes the queued jobs) and time until none is left.
        await using var runner = Build(connectionString, synchronous);
        var hosted = runner.GetServices<IHostedService>().ToList();
        await using var probe = new SqliteConnection(connectionString);
        await probe.OpenAsync();
        await using var count = probe.CreateCommand();
        count.CommandText = "SELECT count(*) FROM job WHERE status IN ('queued', 'running')";

        self.Refresh();
        var cpu = self.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        while (Convert.ToInt64(await count.ExecuteScalarAsync(), CultureInfo.InvariantCulture) > 0)
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

        // CPU time per job is steadier than the rates on a machine shared with other work.
        return new
        {
            jobs,
            seconds,
            jobsPerSecond = jobs / seconds,
            cpuUsPerJob = cpu.TotalMicroseconds / jobs,
            fillSeconds,
            fillJobsPerSecond = jobs / fillSeconds,
            fillCpuUsPerJob = fillCpu.TotalMicroseconds / jobs,
        };
    }

    private static ServiceProvider Build(string connectionString, string synchronous)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddConsole().SetMinimumLevel(LogLevel.Warning));
        // The drain measures a backlog larger than the default queue cap on purpose.
        services.AddWindmillWebhooksCore(options => options.MaxQueuedJobsPerWorkspace = null)
            .UseSqlite(connectionString, sqlite => sqlite.Synchronous = synchronous).AddBenchScripts();
        return services.BuildServiceProvider();
    }
}
