using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Windmill.Webhooks.CrashTest;

/// <summary>
/// Starts the sample on a database in a work folder, drives webhooks at it from several clients, kills it
/// with SIGKILL at seeded random moments and starts it again on the same database, <see cref="CrashTestOptions.Trials"/>
/// times. Then it starts it once more, waits (bounded) until every job has finished, stops it with SIGTERM,
/// and checks the database file against what was acknowledged.
/// </summary>
internal static class CrashTestRunner
{
    private static readonly TimeSpan GracefulStopTimeout = TimeSpan.FromSeconds(30);

    public static async Task<CrashTestReport> RunAsync(CrashTestOptions options, TextWriter progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        var sample = SampleLocation.Find(options.SamplePath);
        var workDirectory = options.WorkDirectory ?? Path.Combine(Path.GetTempPath(), $"windmill-crash-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(workDirectory);
        var databasePath = Path.Combine(workDirectory, "windmill.db");
        var adminToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var clock = Stopwatch.StartNew();
        progress.WriteLine($"Crash test: sample {sample.AssemblyPath}, work folder {workDirectory}");

        CrashTestReport report;
        using (var log = new SampleLog(Path.Combine(workDirectory, "sample.log")))
        using (var acknowledgements = new Acknowledgements(Path.Combine(workDirectory, "acknowledged.txt")))
        using (var http = CreateHttpClient())
        {
            var trials = await RunTrialsAsync(options, sample, databasePath, adminToken, http, log, acknowledgements, progress, cancellationToken)
                .ConfigureAwait(false);
            var (stoppedGracefully, left) = await DrainAsync(options, sample, databasePath, adminToken, log, progress, cancellationToken).ConfigureAwait(false);
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"last start: {left} jobs left unfinished; SIGTERM stop {(stoppedGracefully ? "clean" : "NOT clean")}"));
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
                Database = DatabaseVerifier.Verify(databasePath, acknowledgements),
                Elapsed = clock.Elapsed,
            };
        }

        var keep = options.KeepWorkDirectory || options.WorkDirectory is not null || !report.Passed;
        if (!keep)
        {
            Directory.Delete(workDirectory, recursive: true);
        }

        return report with { KeptWorkDirectory = keep ? workDirectory : null };
    }

    private static async Task<TrialCounts> RunTrialsAsync(CrashTestOptions options, SampleLocation sample, string databasePath, string adminToken,
        HttpClient http, SampleLog log, Acknowledgements acknowledgements, TextWriter progress, CancellationToken cancellationToken)
    {
        var random = new Random(options.Seed);
        var serving = new ServingSample();
        using var stopClients = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var clients = Enumerable.Range(0, options.Clients)
            .Select(number => new LoadClient(number, new Random(unchecked((options.Seed * 7919) + number + 1)), http, adminToken, serving, acknowledgements))
            .Select(client => Task.Run(() => client.RunAsync(stopClients.Token), CancellationToken.None))
            .ToArray();

        var counts = new TrialCounts();
        string? echoHash = null;
        try
        {
            for (var trial = 1; trial <= options.Trials; trial++)
            {
                // Drawn up front, so the kill moments depend on the seed alone.
                var killWhileStarting = random.NextDouble() < options.KillWhileStartingShare;
                var startingFor = TimeSpan.FromMilliseconds(random.Next(0, 800));
                var uptime = TimeSpan.FromMilliseconds(random.Next((int)options.MinUptime.TotalMilliseconds, (int)options.MaxUptime.TotalMilliseconds + 1));

                using var process = SampleProcess.Start(sample, databasePath, adminToken, log);
                try
                {
                    if (killWhileStarting)
                    {
                        await Task.WhenAny(process.Started, Task.Delay(startingFor, cancellationToken)).ConfigureAwait(false);
                        counts.KillsWhileStarting++;
                    }
                    else
                    {
                        await process.WaitUntilStartedAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
                        echoHash ??= await FetchEchoHashAsync(http, process.BaseAddress, adminToken, cancellationToken).ConfigureAwait(false);
                        serving.MarkUp(new SampleEndpoint(process.BaseAddress, echoHash));
                        await Task.Delay(uptime, cancellationToken).ConfigureAwait(false);
                        serving.MarkDown();
                    }

                    if (process.HasExited)
                    {
                        counts.ExitedByItself++;
                    }
                }
                finally
                {
                    serving.MarkDown();
                    await process.KillAsync().ConfigureAwait(false);
                }

                counts.Kills++;
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"trial {trial}/{options.Trials}: killed {(killWhileStarting ? $"while starting, after {startingFor.TotalMilliseconds:F0} ms" : $"after serving {uptime.TotalMilliseconds:F0} ms")}; acknowledged so far {acknowledgements.AsyncJobs.Count} async, {acknowledgements.SyncNonces.Count} sync"));
            }
        }
        finally
        {
            await stopClients.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(clients).ConfigureAwait(false);
        }

        return counts;
    }

    // One more start with no load: recovery re-queues what the last kill caught, and every job must finish.
    private static async Task<(bool StoppedGracefully, long Left)> DrainAsync(CrashTestOptions options, SampleLocation sample, string databasePath,
        string adminToken, SampleLog log, TextWriter progress, CancellationToken cancellationToken)
    {
        using var process = SampleProcess.Start(sample, databasePath, adminToken, log);
        try
        {
            await process.WaitUntilStartedAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
            progress.WriteLine("last start: waiting until no job is queued or running");
            var left = await DatabaseVerifier.WaitUntilDrainedAsync(databasePath, options.DrainTimeout, cancellationToken).ConfigureAwait(false);
            return (await process.TerminateAsync(GracefulStopTimeout).ConfigureAwait(false), left);
        }
        finally
        {
            if (!process.HasExited)
            {
                await process.KillAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<string> FetchEchoHashAsync(HttpClient http, Uri baseAddress, string adminToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseAddress, "api/w/demo/scripts/get/p/u/bot/echo"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using var script = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        return script.RootElement.GetProperty("hash").GetString()!;
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
