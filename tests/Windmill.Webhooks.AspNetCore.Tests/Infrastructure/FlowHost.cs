using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A host built the way a user would (CreateBuilder, AddWindmillWebhooks, UseSqlite on a file of its own), on a TestServer,
/// with <see cref="EchoFlowExecutor"/> running flow jobs, a fake clock, and a <see cref="MaxDefinition"/>-byte limit on a flow's definition.
/// </summary>
internal sealed class FlowHost : IAsyncDisposable
{
    public const string AdminToken = "flows-admin-token-00000000000001";
    public const string Api = "/api/w/demo";
    public const string Flows = Api + "/flows";
    public const int MaxDefinition = 4096;

    private readonly TempDatabase _database = new();
    private WebApplication _app = null!;

    private FlowHost()
    {
    }

    public FakeTimeProvider Time { get; } = new(SampleApp.Start);

    public HttpClient Client { get; private set; } = null!;

    public IServiceProvider Services => _app.Services;

    public static async Task<FlowHost> StartAsync()
    {
        var host = new FlowHost();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(host.Time);
        builder.Services
            .AddWindmillWebhooks(options =>
            {
                options.AdminToken = AdminToken;
                options.MaxFlowDefinitionSize = MaxDefinition;
            })
            .UseSqlite(host._database.ConnectionString)
            .AddJobExecutor<EchoFlowExecutor>();
        host._app = builder.Build();
        host._app.MapWindmillWebhooks();
        await host._app.StartAsync();
        host.Client = host._app.GetTestClient();
        host.Client.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        return host;
    }

    /// <summary>A client that presents a token minted for <see cref="NewTokenRequest.Owner"/> with exactly what is asked.</summary>
    public Task<HttpClient> CreateClientWithTokenAsync(NewTokenRequest token) => _app.CreateClientWithTokenAsync(token);

    /// <summary>A client without credentials.</summary>
    public HttpClient CreateAnonymousClient() => _app.GetTestClient();

    /// <summary>The workspace's audit entries with <paramref name="operationPrefix"/>, newest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> AuditAsync(string operationPrefix) =>
        (await ((IAuditLogReader)Services.GetRequiredService<IAuditSink>()).ListAsync(new AuditQuery { WorkspaceId = "demo" }, CancellationToken.None))
        .Where(e => e.Operation.StartsWith(operationPrefix, StringComparison.Ordinal))
        .ToList();

    public Task<Job> WaitForCompletionAsync(Guid id) => Services.GetRequiredService<IJobRunner>().WaitForCompletionAsync(id);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Services.GetRequiredService<TokenService>().FlushUsageAsync(CancellationToken.None);
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _database.Dispose();
    }
}
