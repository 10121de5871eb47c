using System.Diagnostics;
using System.Globalization;

namespace Windmill.Webhooks.CrashTest;

/// <summary>
/// Starts the sample on a database in a work folder, drives webhooks at it from several clients, kills it
/// with SIGKILL at seeded random moments and starts it again on the same database, <see cref="CrashTestOptions.Trials"/>
/// times. Then it starts it once more, waits (bounded) until every job has finished, stops it with SIGTERM,
/// and checks the database file against what was acknowledged. With two processes, both serve the same file;
/// each trial kills one (a seeded choice) and starts it again while the other keeps serving. The last kill also
/// waits until the victim runs a sleep job, and is not followed by a start: the survivor alone finishes every
/// job, the dead one's after their lease.
/// </summary>
internal static class CrashTestRunner
{
    private static readonly TimeSpan GracefulStopTimeout = TimeSpan.FromSeconds(30);

    // The last kill with two processes waits until the victim runs a sleep job with this much left, so the survivor has one to take over.
    private static readonly TimeSpan LastKillJobTimeLeft = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LastKillWaitLimit = TimeSpan.FromSeconds(10);

    public static async Task<CrashTestReport> RunAsync(CrashTestOptions options, TextWriter progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        var sample = SampleLocation.Find(options.SamplePath);
        var workDirectory = options.WorkDirectory ?? Path.Combine(Path.GetTempPath(), $"windmill-crash-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(workDirectory);
        ICrashDatabase database = options.PostgreSql is { } server
            ? await PostgreSqlCrashDatabase.CreateAsync(server, cancellationToken).ConfigureAwait(false)
            : new SqliteCrashDatabase(Path.Combine(workDirectory, "windmill.db"));
        var clock = Stopwatch.StartNew();
        progress.WriteLine($"Crash test: sample {sample.AssemblyPath}, work folder {workDirectory}, database {database.Description}");

        CrashTestReport report;
        using (var log = new SampleLog(Path.Combine(workDirectory, "sample.log")))
        using (var acknowledgements = new Acknowledgements(Path.Combine(workDirectory, "acknowledged.txt")))
        using (var http = CreateHttpClient())
        {
            var samples = new SampleStarts(options, sample, database, http, log);
            TrialCounts trials;
            bool stoppedGracefully;
            try
            {
                (trials, var last) = options.Processes == 1
                    ? await RunOneProcessTrialsAsync(samples, acknowledgements, progress, cancellationToken).ConfigureAwait(false)
                    : await RunTwoProcessTrialsAsync(samples, acknowledgements, progress, cancellationToken).ConfigureAwait(false);
                stoppedGracefully = await DrainAsync(samples, last, progress, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await samples.KillRemainingAsync().ConfigureAwait(false);
            }

            report = new CrashTestReport
            {
                Options = options,
                Kills = trials.Kills,
                KillsWhileStarting = trials.KillsWhileStarting,
                ExitedByItself = trials.ExitedByItself,
                AsyncAcknowledged = acknowledgements.AsyncJobs.Count,
                SyncAcknowledged = acknowledgements.SyncNonces.Count,
                Interrupted = acknowledgements.Interrupted,
                UnexpectedAnswers = [.. acknowledgements.UnexpectedAnswers],
                StoppedGracefully = stoppedGracefully,
                Database = database.Verify(acknowledgements, samples.Lifetimes),
                Elapsed = clock.Elapsed,
            };
        }

        var keep = options.KeepWorkDirectory || options.WorkDirectory is not null || !report.Passed;
        if (keep && database is PostgreSqlCrashDatabase kept)
        {
            kept.Keep();
        }

        await database.DisposeAsync().ConfigureAwait(false);
        if (!keep)
        {
            Directory.Delete(workDirectory, recursive: true);
        }

        return report with { KeptWorkDirectory = keep ? workDirectory : null };
    }

    // Returns the start that drains: a new one, after the last kill.
    private static async Task<(TrialCounts Counts, SampleProcess Last)> RunOneProcessTrialsAsync(SampleStarts samples, Acknowledgements acknowledgements,
        TextWriter progress, CancellationToken cancellationToken)
    {
        var options = samples.Options;
        var random = new Random(options.Seed);
        var counts = new TrialCounts();
        await using (samples.StartClients(acknowledgements, cancellationToken))
        {
            for (var trial = 1; trial <= options.Trials; trial++)
            {
                // Drawn up front, so the kill moments depend on the seed alone.
                var killWhileStarting = random.NextDouble() < options.KillWhileStartingShare;
                var startingFor = TimeSpan.FromMilliseconds(random.Next(0, 800));
                var uptime = TimeSpan.FromMilliseconds(random.Next((int)options.MinUptime.TotalMilliseconds, (int)options.MaxUptime.TotalMilliseconds + 1));

                var process = samples.Start();
                try
                {
                    if (killWhileStarting)
                    {
                        await Task.WhenAny(process.Started, Task.Delay(startingFor, cancellationToken)).ConfigureAwait(false);
                        counts.KillsWhileStarting++;
                    }
                    else
                    {
                        await samples.ServeAsync(process, cancellationToken).ConfigureAwait(false);
                        await Task.Delay(uptime, cancellationToken).ConfigureAwait(false);
                    }

                    counts.ExitedByItself += process.HasExited ? 1 : 0;
                }
                finally
                {
                    await samples.KillAsync(process).ConfigureAwait(false);
                }

                counts.Kills++;
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"trial {trial}/{options.Trials}: killed pid {process.Id} {(killWhileStarting ? $"while starting, after {startingFor.TotalMilliseconds:F0} ms" : $"after serving {uptime.TotalMilliseconds:F0} ms")}; acknowledged so far {acknowledgements.AsyncJobs.Count} async, {acknowledgements.SyncNonces.Count} sync"));
            }
        }

        // One more start with no load: its runner reclaims what the last kill caught once the lease expires, and every job must finish.
        var last = samples.Start();
        await last.WaitUntilStartedAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
        samples.EnsureTransitionsRecorded();
        return (counts, last);
    }

    // Returns the survivor of the last kill, which drains alone.
    private static async Task<(TrialCounts Counts, SampleProcess Last)> RunTwoProcessTrialsAsync(SampleStarts samples, Acknowledgements acknowledgements,
        TextWriter progress, CancellationToken cancellationToken)
    {
        var options = samples.Options;
        var random = new Random(options.Seed);
        var counts = new TrialCounts();
        var processes = new SampleProcess[2];
        for (var slot = 0; slot < processes.Length; slot++)
        {
            processes[slot] = samples.Start();
            await samples.ServeAsync(processes[slot], cancellationToken).ConfigureAwait(false);
        }

        var victim = 0;
        await using (samples.StartClients(acknowledgements, cancellationToken))
        {
            for (var trial = 1; trial <= options.Trials; trial++)
            {
                victim = random.Next(processes.Length);
                var killWhileStarting = random.NextDouble() < options.KillWhileStartingShare;
                var startingFor = TimeSpan.FromMilliseconds(random.Next(0, 800));
                var uptime = TimeSpan.FromMilliseconds(random.Next((int)options.MinUptime.TotalMilliseconds, (int)options.MaxUptime.TotalMilliseconds + 1));

                await Task.Delay(uptime, cancellationToken).ConfigureAwait(false);
                var killed = processes[victim];
                var survivor = processes[1 - victim];
                var lastKillWaited = trial == options.Trials
                    && await samples.Database.WaitUntilSleepRunsInAsync(killed.Id, LastKillJobTimeLeft, LastKillWaitLimit, cancellationToken)
                        .ConfigureAwait(false);
                counts.ExitedByItself += killed.HasExited ? 1 : 0;
                await samples.KillAsync(killed).ConfigureAwait(false);
                counts.Kills++;
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"trial {trial}/{options.Trials}: killed p{victim + 1} (pid {killed.Id}) after serving {uptime.TotalMilliseconds:F0} ms; p{2 - victim} (pid {survivor.Id}) kept serving");
                if (trial == options.Trials)
                {
                    line += $"{(lastKillWaited ? ", while it ran a sleep job" : ", though it ran no sleep job")}; not restarted: the survivor finishes every job";
                }
                else
                {
                    if (killWhileStarting)
                    {
                        var starting = samples.Start();
                        await Task.WhenAny(starting.Started, Task.Delay(startingFor, cancellationToken)).ConfigureAwait(false);
                        await samples.KillAsync(starting).ConfigureAwait(false);
                        counts.Kills++;
                        counts.KillsWhileStarting++;
                        line += string.Create(CultureInfo.InvariantCulture, $"; its restart (pid {starting.Id}) killed while starting, after {startingFor.TotalMilliseconds:F0} ms");
                    }

                    var restarting = Stopwatch.StartNew();
                    processes[victim] = samples.Start();
                    await samples.ServeAsync(processes[victim], cancellationToken).ConfigureAwait(false);
                    line += string.Create(CultureInfo.InvariantCulture, $"; p{victim + 1} restarted as pid {processes[victim].Id}, serving after {restarting.Elapsed.TotalSeconds:F1} s");
                }

                progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{line}; acknowledged so far {acknowledgements.AsyncJobs.Count} async, {acknowledgements.SyncNonces.Count} sync"));
            }
        }

        return (counts, processes[1 - victim]);
    }

    // With no load left, waits until no job is queued or running (the dead's after their lease), then stops the last process with SIGTERM.
    private static async Task<bool> DrainAsync(SampleStarts samples, SampleProcess last, TextWriter progress, CancellationToken cancellationToken)
    {
        progress.WriteLine($"drain: pid {last.Id} alone; waiting until no job is queued or running");
        var left = await samples.Database.WaitUntilDrainedAsync(samples.Options.DrainTimeout, cancellationToken).ConfigureAwait(false);
        var stoppedGracefully = !last.HasExited && await last.TerminateAsync(GracefulStopTimeout).ConfigureAwait(false);
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"drain: {left} jobs left unfinished; SIGTERM stop {(stoppedGracefully ? "clean" : "NOT clean")}"));
        return stoppedGracefully;
    }

    private static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
    })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    private sealed class TrialCounts
    {
        public int Kills { get; set; }

        public int KillsWhileStarting { get; set; }

        public int ExitedByItself { get; set; }
    }
}
