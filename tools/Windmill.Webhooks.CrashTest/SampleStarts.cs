using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Windmill.Webhooks.CrashTest;

/// <summary>
/// Every start of the sample in one run, on one database with one admin token: starts them, puts them in the
/// clients' turns once they serve, kills them, and remembers when each lived (for the lease checks).
/// </summary>
internal sealed class SampleStarts(CrashTestOptions options, SampleLocation sample, ICrashDatabase database, HttpClient http, SampleLog log)
{
    private readonly string _adminToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    private readonly ServingSample _serving = new();
    private readonly List<SampleProcess> _started = [];
    private string? _echoHash;
    private bool _transitionsRecorded;
    private bool _flowStored;

    public CrashTestOptions Options => options;

    public ICrashDatabase Database => database;

    /// <summary>When each start lived, in order.</summary>
    public IReadOnlyList<SampleLifetime> Lifetimes => _started.ConvertAll(process => process.Lifetime);

    public SampleProcess Start()
    {
        var process = SampleProcess.Start(sample, database.ConnectionString, _adminToken, log);
        _started.Add(process);
        return process;
    }

    /// <summary>
    /// Waits until <paramref name="process"/> has started, lets the clients send it webhooks, and returns once it
    /// has answered one sync webhook of the tool's own: on a busy machine a new process takes seconds to compile
    /// its first requests, and a kill moment counted from its start would often fall before it ever served.
    /// </summary>
    public async Task ServeAsync(SampleProcess process, CancellationToken cancellationToken)
    {
        await process.WaitUntilStartedAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
        EnsureTransitionsRecorded();
        _echoHash ??= await FetchEchoHashAsync(process.BaseAddress, cancellationToken).ConfigureAwait(false);
        if (options.Flows && !_flowStored)
        {
            // Stored once, by the first start that serves, before any client sends a flow call.
            await SendAsync(HttpMethod.Post, new Uri(process.BaseAddress, "api/w/demo/flows/create"), cancellationToken, CrashFlow.NewFlow).ConfigureAwait(false);
            _flowStored = true;
        }

        _serving.MarkUp(new SampleEndpoint(process.BaseAddress, _echoHash));
        await AnswersWebhookAsync(process.BaseAddress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Installs the transition triggers once a start has created the schema, before the clients send anything.</summary>
    public void EnsureTransitionsRecorded()
    {
        if (!_transitionsRecorded)
        {
            database.InstallTransitions();
            _transitionsRecorded = true;
        }
    }

    /// <summary>Out of the clients' turns, then SIGKILL.</summary>
    public async Task KillAsync(SampleProcess process)
    {
        _serving.MarkDown(process.BaseAddress);
        await process.KillAsync().ConfigureAwait(false);
    }

    /// <summary>Starts <see cref="CrashTestOptions.Clients"/> clients; disposing the result stops them and waits for them.</summary>
    public RunningClients StartClients(Acknowledgements acknowledgements, CancellationToken cancellationToken)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var clients = Enumerable.Range(0, options.Clients)
            .Select(number => new LoadClient(number, new Random(unchecked((options.Seed * 7919) + number + 1)), http, _adminToken, _serving, acknowledgements,
                options.Flows))
            .Select(client => Task.Run(() => client.RunAsync(stop.Token), CancellationToken.None))
            .ToArray();
        return new RunningClients(stop, clients);
    }

    /// <summary>Kills whatever start is still running (after a failure) and releases every process handle.</summary>
    public async Task KillRemainingAsync()
    {
        foreach (var process in _started)
        {
            if (!process.HasExited)
            {
                await process.KillAsync().ConfigureAwait(false);
            }

            process.Dispose();
        }
    }

    private async Task<string> FetchEchoHashAsync(Uri baseAddress, CancellationToken cancellationToken)
    {
        using var script = JsonDocument.Parse(await SendAsync(HttpMethod.Get, new Uri(baseAddress, "api/w/demo/scripts/get/p/u/bot/echo"), cancellationToken)
            .ConfigureAwait(false));
        return script.RootElement.GetProperty("hash").GetString()!;
    }

    // A job like the clients' ones, but not acknowledged: it is checked as one of "every job in the database".
    private Task<string> AnswersWebhookAsync(Uri baseAddress, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, new Uri(baseAddress, "api/w/demo/jobs/run_wait_result/p/u/bot/hello_world"), cancellationToken);

    private async Task<string> SendAsync(HttpMethod method, Uri uri, CancellationToken cancellationToken, string body = """{"name":"crash test"}""")
    {
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _adminToken);
        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The load clients of a run; disposing stops them and waits until each has returned.</summary>
internal sealed class RunningClients(CancellationTokenSource stop, Task[] clients) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(clients).ConfigureAwait(false);
        stop.Dispose();
    }
}
