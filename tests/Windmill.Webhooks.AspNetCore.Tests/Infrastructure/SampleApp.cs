using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

/// <summary>
/// The sample app (<c>samples/Windmill.Webhooks.Sample</c>) as a user starts it, configured only the documented
/// way: <c>ConnectionStrings:Windmill</c> (a temp file of its own) and <c>Windmill:AdminToken</c>. The test
/// swaps in a <see cref="FakeTimeProvider"/> and observes job starts; nothing else is changed.
/// </summary>
internal sealed class SampleApp : WebApplicationFactory<Program>
{
    public const string AdminToken = "sample-admin-token-for-tests-0123";
    public const string Workspace = "demo";
    public const string Api = "/api/w/demo";

    /// <summary>The fake clock's start: every timestamp the app writes is this instant until a test advances it.</summary>
    public static readonly DateTimeOffset Start = new(2025, 1, 31, 10, 0, 0, TimeSpan.Zero);

    private readonly TempDatabase _database = new();
    private readonly FakeLogCollector? _logs;
    private bool _hostCreated;

    public SampleApp(FakeLogCollector? logs = null) => _logs = logs;

    public FakeTimeProvider Time { get; } = new(Start);

    public JobStartSignals JobStarts { get; } = new();

    public string DatabasePath => _database.Path;

    public IJobRunner Runner => Services.GetRequiredService<IJobRunner>();

    public TokenService Tokens => Services.GetRequiredService<TokenService>();

    public HttpClient CreateAnonymousClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    public HttpClient CreateAdminClient() => CreateClientWithBearer(AdminToken);

    public HttpClient CreateClientWithBearer(string token)
    {
        var client = CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<int> CountJobsAsync() => await Runner.ListAsync(new JobQuery { Workspace = Workspace }, CancellationToken.None).CountAsync();

    public Task<Job> WaitForCompletionAsync(Guid id) => Runner.WaitForCompletionAsync(id);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Windmill", _database.ConnectionString);
        builder.UseSetting("Windmill:AdminToken", AdminToken);
        if (_logs is { } logs)
        {
            builder.ConfigureLogging(logging =>
            {
                // A provider-specific rule outranks the sample's "Microsoft.AspNetCore": "Warning": everything reaches the collector.
                logging.AddProvider(new FakeLoggerProvider(logs));
                logging.AddFilter<FakeLoggerProvider>(null, LogLevel.Trace);
            });
        }

        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Time);

            JobStarts.WrapEveryExecutor(services);
        });
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        _hostCreated = true;
        return base.CreateHost(builder);
    }

    public override async ValueTask DisposeAsync()
    {
        // With a minimal-hosting entry point the host is stopped twice at once, and disposed by the first stop
        // (dotnet/aspnetcore#40271): a token use still waiting to be written would be flushed into a disposed database.
        if (_hostCreated)
        {
            await Tokens.FlushUsageAsync(CancellationToken.None);
        }

        await base.DisposeAsync();
        _database.Dispose();
    }
}
