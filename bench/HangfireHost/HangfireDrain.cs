using System.Diagnostics;
using Hangfire;
using Hangfire.Storage.SQLite;

namespace Windmill.Webhooks.Bench.HangfireHost;

/// <summary>Hangfire's drain rate: jobs enqueued with no server, then one server started and timed until all succeeded.</summary>
internal static class HangfireDrain
{
    public static object Run(SQLiteStorage storage, int workers, int jobs, string payload, TimeSpan limit)
    {
        var client = new BackgroundJobClient(storage);
        var fill = Stopwatch.StartNew();
        Parallel.For(0, jobs, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ => client.Enqueue(() => BenchJobs.Noop(payload)));
        var fillSeconds = fill.Elapsed.TotalSeconds;

        var monitoring = storage.GetMonitoringApi();
        var baseline = monitoring.GetStatistics().Succeeded;
        var watch = Stopwatch.StartNew();
        using (var server = new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = workers }, storage))
        {
            // Succeeded is counted in the same transaction that moves a job to its Succeeded state. Hangfire has no
            // completion event to wait on, so its statistic is polled; 20 ms is small next to a drain of seconds.
            // A slow drain is cut off at the limit and rated on the jobs it finished by then.
            long done;
            while ((done = monitoring.GetStatistics().Succeeded - baseline) < jobs && watch.Elapsed < limit)
            {
                Thread.Sleep(20);
            }

            var seconds = watch.Elapsed.TotalSeconds;
            server.SendStop();
            return new { jobs, completed = done, seconds, jobsPerSecond = done / seconds, fillSeconds, fillJobsPerSecond = jobs / fillSeconds, workers };
        }
    }
}
