using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A host built the way a user would (CreateBuilder, AddWindmillWebhooks, in-memory stores), on a TestServer. Scripts:
/// <list type="bullet">
/// <item><c>u/test/block</c> signals when it starts and returns 1 once released (or fails when canceled);</item>
/// <item><c>u/test/limited</c> is the same, with a per-script time limit of <see cref="ScriptTimeout"/>;</item>
/// <item><c>u/test/stubborn</c> blocks its thread until the host is disposed, ignoring its cancellation;</item>
/// <item><c>u/test/echo</c> returns its args.</item>
/// </list>
/// The clock is a <see cref="TimerSignalingTimeProvider"/> registered before AddWindmillWebhooks, so it wins; it tells
/// when a timer of the watched due time exists. Job starts are signalled by id (<see cref="JobStarts"/>).
/// </summary>
internal sealed class BlockingScriptHost : IAsyncDisposable
{
    public const string AdminToken = "blocking-host-admin-token-000001";
    public const string Api = "/api/w/demo";
    public const string SyncUrl = Api + "/jobs/run_wait_result/p/u/test/block";

    public static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(10);

    // LocalJobRunner.StopGracePeriod, which is internal to the core: how long stopped code may take to stop.
    public static readonly TimeSpan LocalJobStopGrace = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _requestFinished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim _unblockStubborn = new();

    private BlockingScriptHost(Action<WindmillWebhooksOptions> configure, TimeSpan watchedTimer, EnqueueGate? gate,
        Action<IServiceCollection>? services)
    {
        Time = new TimerSignalingTimeProvider(SampleApp.Start, watchedTimer);
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(Time);
        builder.Services
            .AddWindmillWebhooks(options =>
            {
                options.AdminToken = AdminToken;
                configure(options);
            })
            .UseInMemoryStores()
            .AddScript("u/test/block", BlockAsync)
            .AddScript("u/test/limited", BlockAsync, script => script.Timeout = ScriptTimeout)
            .AddScript("u/test/stubborn", () =>
            {
                _unblockStubborn.Wait(); // ignores its cancellation, and holds its thread
                return 1;
            })
            .AddScript("u/test/echo", (ScriptContext context) => context.Args);

        JobStarts.WrapEveryExecutor(builder.Services);
        if (gate is not null)
        {
            var runner = builder.Services.Single(d => d.ServiceType == typeof(IJobRunner));
            builder.Services.Remove(runner);
            builder.Services.AddSingleton(sp => gate.Wrap((IJobRunner)runner.ImplementationFactory!(sp)));
        }

        services?.Invoke(builder.Services);
        _app = builder.Build();
        _app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            finally
            {
                _requestFinished.TrySetResult();
            }
        });
        _app.MapWindmillWebhooks();
    }

    public TimerSignalingTimeProvider Time { get; }

    public JobStartSignals JobStarts { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    public IJobRunner Runner => _app.Services.GetRequiredService<IJobRunner>();

    /// <summary>Completes when a <c>u/test/block</c> job's code runs.</summary>
    public Task ScriptStarted => _started.Task.Within();

    /// <summary>Completes when the server is done with the (first) request, whatever the client did.</summary>
    public Task RequestFinished => _requestFinished.Task.Within();

    /// <summary>A host whose synchronous waits time out after <paramref name="syncWaitTimeout"/>, the timer it watches.</summary>
    public static Task<BlockingScriptHost> StartAsync(TimeSpan syncWaitTimeout, bool cancelJobOnSyncTimeout = false) =>
        StartAsync(options =>
        {
            options.SyncWaitTimeout = syncWaitTimeout;
            options.CancelJobOnSyncTimeout = cancelJobOnSyncTimeout;
        }, syncWaitTimeout);

    /// <summary>
    /// A host configured by <paramref name="configure"/>, watching the timers due in <paramref name="watchedTimer"/> (default: the
    /// stop grace of jobs), with its enqueues held by <paramref name="gate"/> and its own <paramref name="services"/> registered last.
    /// </summary>
    public static async Task<BlockingScriptHost> StartAsync(Action<WindmillWebhooksOptions>? configure = null, TimeSpan? watchedTimer = null,
        EnqueueGate? gate = null, Action<IServiceCollection>? services = null)
    {
        var host = new BlockingScriptHost(configure ?? (_ => { }), watchedTimer ?? LocalJobStopGrace, gate, services);
        await host._app.StartAsync();
        host.Client = host._app.GetTestClient();
        host.Client.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        return host;
    }

    /// <summary>Lets every <c>u/test/block</c> and <c>u/test/limited</c> job finish.</summary>
    public void ReleaseScript() => _release.TrySetResult();

    /// <summary>A client that presents a token minted for <see cref="NewTokenRequest.Owner"/> with exactly what is asked.</summary>
    public Task<HttpClient> CreateClientWithTokenAsync(NewTokenRequest token) => _app.CreateClientWithTokenAsync(token);

    public Task<Job> WaitForCompletionAsync(Guid id) => Runner.WaitForCompletionAsync(id);

    public async Task<int> CountJobsAsync() => await Runner.ListAsync(new JobQuery { Workspace = "demo" }, CancellationToken.None).CountAsync();

    public async ValueTask DisposeAsync()
    {
        ReleaseScript(); // no job may outlive the test
        _unblockStubborn.Set(); // nor a blocked thread
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _unblockStubborn.Dispose();
    }

    private async Task<int> BlockAsync(CancellationToken cancellationToken)
    {
        _started.TrySetResult();
        await _release.Task.WaitAsync(cancellationToken);
        return 1;
    }
}

/// <summary>Holds every job enqueue until <see cref="Open"/>: the window in which a run's job is not yet committed.</summary>
internal sealed class EnqueueGate
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when an enqueue is held at the gate.</summary>
    public Task Entered => _entered.Task.Within();

    public void Open() => _open.TrySetResult();

    public IJobRunner Wrap(IJobRunner inner) => new GatedRunner(inner, this);

    private sealed class GatedRunner(IJobRunner inner, EnqueueGate gate) : IJobRunner, IHostedService
    {
        public async ValueTask<Job> EnqueueAsync(NewJob job, CancellationToken cancellationToken)
        {
            gate._entered.TrySetResult();
            await gate._open.Task.WaitAsync(cancellationToken);
            return await inner.EnqueueAsync(job, cancellationToken);
        }

        public ValueTask<Job?> GetAsync(string workspace, Guid id, CancellationToken cancellationToken) => inner.GetAsync(workspace, id, cancellationToken);

        public ValueTask<Job?> WaitForCompletionAsync(string workspace, Guid id, CancellationToken cancellationToken) =>
            inner.WaitForCompletionAsync(workspace, id, cancellationToken);

        public ValueTask<CancelOutcome> CancelAsync(string workspace, Guid id, string canceledBy, string? reason, AuditEntry? audit,
            CancellationToken cancellationToken) =>
            inner.CancelAsync(workspace, id, canceledBy, reason, audit, cancellationToken);

        public IAsyncEnumerable<Job> ListAsync(JobQuery query, CancellationToken cancellationToken) => inner.ListAsync(query, cancellationToken);

        public ValueTask<long> CountAsync(JobQuery query, CancellationToken cancellationToken) => inner.CountAsync(query, cancellationToken);

        public Task StartAsync(CancellationToken cancellationToken) => ((IHostedService)inner).StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => ((IHostedService)inner).StopAsync(cancellationToken);
    }
}
