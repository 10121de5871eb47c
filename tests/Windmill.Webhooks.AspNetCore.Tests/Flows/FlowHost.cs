using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Tests.Flows;

/// <summary>
/// A host for flows, built as a user builds one (AddWindmillWebhooks, UseSqlite on a file of its own, AddJavaScript), on a
/// TestServer with a fake clock, and code scripts that flows call: <c>u/code/add(a, b)</c>, <c>u/code/fail(message)</c>,
/// <c>u/code/count(key)</c> (how many times it ran for the key), <c>u/code/flaky(key, failures)</c> (fails that many
/// times first) and <c>u/code/wait(key)</c> (runs until <see cref="Release"/>, honouring cancellation).
/// </summary>
internal sealed class FlowHost : IAsyncDisposable
{
    public const string AdminToken = "flow-host-admin-token-000000001";
    public const string Api = "/api/w/demo";

    private readonly TempDatabase _database = new();
    private readonly int _workers;
    private WebApplication _app = null!;

    private FlowHost(int workers) => _workers = workers;

    /// <summary>The host's clock; it tells when the first 5 s timer (an expression's time limit) exists.</summary>
    public TimerSignalingTimeProvider Time { get; } = new(SampleApp.Start, TimeSpan.FromSeconds(5));

    public HttpClient Client { get; private set; } = null!;

    public IServiceProvider Services => _app.Services;

    public Steps Steps { get; } = new();

    public static async Task<FlowHost> StartAsync(int workers = 4)
    {
        var host = new FlowHost(workers);
        await host.BuildAndStartAsync();
        return host;
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await BuildAndStartAsync();
    }

    /// <summary>Stores a flow at <paramref name="path"/> with <paramref name="value"/> (an OpenFlow FlowValue, as JSON).</summary>
    public async Task CreateFlowAsync(string path, string value)
    {
        using var response = await CreateFlowResponseAsync(path, value);
        await Wire.AssertAsync(response, HttpStatusCode.Created, Wire.Text, path);
    }

    public Task<HttpResponseMessage> CreateFlowResponseAsync(string path, string value) =>
        Client.PostAsync(Api + "/flows/create", Wire.JsonBody("""{"path": "<<0>>", "summary": "", "value": <<1>>, "schema": {}}""".Replace("<<0>>", path, StringComparison.Ordinal).Replace("<<1>>", value, StringComparison.Ordinal)));

    /// <summary>Runs a flow through the sync webhook; the answer's status and body.</summary>
    public async Task<(HttpStatusCode Status, string Body)> RunAsync(string path, string args = "{}")
    {
        using var response = await Client.PostAsync($"{Api}/jobs/run_wait_result/f/{path}", Wire.JsonBody(args)).Within();
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Starts a flow through the async webhook; its job id.</summary>
    public async Task<Guid> StartFlowAsync(string path, string args = "{}")
    {
        using var response = await Client.PostAsync($"{Api}/jobs/run/f/{path}", Wire.JsonBody(args));
        return await Wire.AssertCreatedJobAsync(response);
    }

    public Task<Job> WaitForCompletionAsync(Guid id) => Services.GetRequiredService<IJobRunner>().WaitForCompletionAsync(id);

    /// <summary>The job as <c>jobs_u/get</c> shows it.</summary>
    public async Task<JsonElement> GetJobJsonAsync(Guid id)
    {
        using var response = await Client.GetAsync($"{Api}/jobs_u/get/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>The step jobs of flow job <paramref name="flow"/>, oldest first.</summary>
    public async Task<List<Job>> StepsOfAsync(Guid flow)
    {
        var jobs = new List<Job>();
        await foreach (var job in Services.GetRequiredService<IJobRunner>()
            .ListAsync(new JobQuery { Workspace = "demo", ParentJob = flow, OldestFirst = true }, CancellationToken.None))
        {
            jobs.Add(job);
        }

        return jobs;
    }

    /// <summary>
    /// Returns once <paramref name="condition"/> holds, checking it again at each job notification (a job ready, completed
    /// or canceled), so that a test follows the engine's steps without sleeping.
    /// </summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var changed = new SemaphoreSlim(0);
        using var subscription = Services.GetRequiredService<IJobNotifier>().Subscribe(_ => changed.Release());
        while (!await condition())
        {
            await changed.WaitAsync().Within();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Steps.ReleaseAll();
        await StopAsync();
        _database.Dispose();
    }

    private async Task BuildAndStartAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(Time);
        builder.Services.AddSingleton(Steps);
        builder.Services
            .AddWindmillWebhooks(options =>
            {
                options.AdminToken = AdminToken;
                options.WorkerCount = _workers;
                options.ShutdownGracePeriod = TimeSpan.Zero;
            })
            .UseSqlite(_database.ConnectionString)
            .AddJavaScript()
            .AddScript("u/code/add", (int a, int b) => a + b)
            .AddScript("u/code/fail", (string message) => Fail(message))
            .AddScript("u/code/count", (string key, Steps steps) => steps.Count(key))
            .AddScript("u/code/flaky", (string key, int failures, Steps steps) =>
                steps.Count(key) <= failures ? Fail($"attempt {steps.Runs(key)} fails") : steps.Runs(key))
            .AddScript("u/code/wait", (string key, Steps steps, CancellationToken cancellationToken) => steps.WaitAsync(key, cancellationToken));
        _app = builder.Build();
        _app.MapWindmillWebhooks();
        await _app.StartAsync();
        Client = _app.GetTestClient();
        Client.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
    }

    private static int Fail(string message) => throw new InvalidOperationException(message);

    private async Task StopAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}

/// <summary>What the flow host's code scripts count and wait on, shared across its restarts.</summary>
internal sealed class Steps
{
    private readonly ConcurrentDictionary<string, int> _runs = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _gates = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _started = new();

    public int Count(string key) => _runs.AddOrUpdate(key, 1, (_, n) => n + 1);

    public int Runs(string key) => _runs.GetValueOrDefault(key);

    public async Task<string> WaitAsync(string key, CancellationToken cancellationToken)
    {
        Count(key);
        Started(key).TrySetResult();
        return await Gate(key).Task.WaitAsync(cancellationToken);
    }

    /// <summary>Completes when <c>u/code/wait</c> started for <paramref name="key"/>.</summary>
    public Task StartedAsync(string key) => Started(key).Task.Within();

    /// <summary>Lets <c>u/code/wait</c> for <paramref name="key"/> return <paramref name="result"/>.</summary>
    public void Release(string key, string result) => Gate(key).TrySetResult(result);

    public void ReleaseAll()
    {
        foreach (var gate in _gates.Values)
        {
            gate.TrySetResult("released");
        }
    }

    /// <summary>Forgets that <paramref name="key"/> started, so a second start can be awaited.</summary>
    public void ResetStarted(string key) => _started.TryRemove(key, out _);

    private TaskCompletionSource<string> Gate(string key) => _gates.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

    private TaskCompletionSource Started(string key) => _started.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
}
