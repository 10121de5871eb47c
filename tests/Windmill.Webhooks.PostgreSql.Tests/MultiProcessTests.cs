using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Windmill.Webhooks.CrashTest;
using Windmill.Webhooks.PostgreSql.Tests.Infrastructure;

namespace Windmill.Webhooks.PostgreSql.Tests;

/// <summary>
/// Two sample processes on one PostgreSQL database, as two replicas behind one URL: whichever accepts a job, any runs it, and a
/// sync caller waiting on one gets the other's result. The sample picks PostgreSQL because its connection string starts with
/// <c>Host=</c>. The last fact is the crash tool's short PostgreSQL run: one replica SIGKILLed under load, every acknowledged
/// job completes.
/// </summary>
public sealed class MultiProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly string _adminToken = "multi-process-admin-" + Guid.NewGuid().ToString("N");
    private readonly List<SampleProcess> _processes = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private string? _folder;
    private SampleLog? _log;
    private string? _connectionString;

    public async ValueTask InitializeAsync()
    {
        var cluster = await PostgreSqlCluster.Shared;
        _connectionString = cluster.ConnectionString(await cluster.CreateDatabaseAsync());
        _folder = Directory.CreateTempSubdirectory("windmill-pg-replicas-").FullName;
        _log = new SampleLog(Path.Combine(_folder, "samples.log"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                await process.KillAsync();
            }

            process.Dispose();
        }

        _log!.Dispose();
        output.WriteLine(await File.ReadAllTextAsync(Path.Combine(_folder!, "samples.log")));
        Directory.Delete(_folder!, recursive: true);
        _http.Dispose();
    }

    [Fact]
    public async Task Two_replicas_started_together_share_the_queue_a_job_accepted_on_A_with_no_workers_runs_on_B_and_As_sync_caller_gets_the_result()
    {
        // Started together on an empty database: they migrate, deploy and seed it at the same moment.
        var replicas = await Task.WhenAll(StartAsync(("Windmill__WorkerCount", "0")), StartAsync());
        var a = replicas[0];

        var sync = await PostAsync(a, "jobs/run_wait_result/p/u/bot/hello_world", """{"name":"replica B"}""");
        var accepted = await PostAsync(a, "jobs/run/p/u/bot/echo", """{"from":"A"}""");
        var job = await GetJobAsync(a, accepted.Body, until: j => j.GetProperty("type").GetString() == "CompletedJob");

        Assert.Equal((HttpStatusCode.OK, "\"Hello, replica B!\""), (sync.Status, sync.Body));
        Assert.Equal(HttpStatusCode.Created, accepted.Status);
        Assert.Equal("""{"from":"A"}""", job.GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task A_job_accepted_on_A_while_As_only_worker_is_busy_is_run_by_B_at_once()
    {
        var a = await StartAsync(("Windmill__WorkerCount", "1"));
        await StartAsync();
        var sleeping = await PostAsync(a, "jobs/run/p/u/bot/sleep", """{"ms":20000}""");
        await GetJobAsync(a, sleeping.Body, until: j => j.GetProperty("running").GetBoolean());

        var sync = await PostAsync(a, "jobs/run_wait_result/p/u/bot/hello_world", """{"name":"B"}""");

        Assert.Equal((HttpStatusCode.OK, "\"Hello, B!\""), (sync.Status, sync.Body));
        var stillSleeping = await GetJobAsync(a, sleeping.Body, until: _ => true);
        Assert.Equal("QueuedJob", stillSleeping.GetProperty("type").GetString()); // A's worker is still on it: B ran the other
    }

    [Fact]
    public async Task One_replica_SIGKILLed_under_load_loses_no_acknowledged_job_and_the_survivor_takes_over_its_jobs()
    {
        using var progress = new StringWriter();
        var report = await CrashTestRunner.RunAsync(
            new CrashTestOptions { Trials = 3, Processes = 2, Seed = 6, Clients = 4, PostgreSql = _connectionString }, progress, CancellationToken.None);
        report.WriteSummary(progress);
        output.WriteLine(progress.ToString());

        Assert.True(report.Acknowledged > 0, "the clients got no acknowledgement at all");
        Assert.Empty(report.Database.Lost);
        Assert.Empty(report.Database.WithoutAuditEntry);
        Assert.Empty(report.Database.AcknowledgedNotCompleted);
        Assert.Empty(report.Database.Leases.Violations);
        Assert.Empty(report.UnexpectedAnswers);
        Assert.Equal((0, 0), (report.Database.LeftUnfinished, report.Database.OtherwiseFailed));
        Assert.Equal("ok", report.Database.IntegrityCheck);
        Assert.True(report.Passed);
    }

    private async Task<Uri> StartAsync(params (string Name, string Value)[] environment)
    {
        var process = SampleProcess.Start(SampleLocation.Find(null), _connectionString!, _adminToken, _log!,
            environment.ToDictionary(e => e.Name, e => e.Value));
        _processes.Add(process);
        await process.WaitUntilStartedAsync(StartTimeout, CancellationToken.None);
        return process.BaseAddress;
    }

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(Uri replica, string route, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(replica, "api/w/demo/" + route));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _adminToken);
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    // The job as /jobs_u/get shows it, read until it is as wanted (the run is in another process: no event reaches this one).
    private async Task<JsonElement> GetJobAsync(Uri replica, string id, Func<JsonElement, bool> until)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(replica, $"api/w/demo/jobs_u/get/{id}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _adminToken);
            using var response = await _http.SendAsync(request, deadline.Token);
            var job = JsonDocument.Parse(await response.Content.ReadAsStringAsync(deadline.Token)).RootElement.Clone();
            if (until(job))
            {
                return job;
            }

            await Task.Delay(20, deadline.Token);
        }
    }
}
