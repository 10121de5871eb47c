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
/// with the <c>test-lang</c> compiler and executor (<see cref="TestLanguageCompiler"/>), the JavaScript package (flows' inline steps and expressions),
/// a script registered in code at <see cref="CodePath"/>, a fake clock, a <see cref="MaxContent"/>-byte limit on a script's content
/// and a <see cref="MaxFlowDefinition"/>-byte limit on a flow's definition.
/// <see cref="RestartAsync"/> stops it and starts it again on the same database.
/// </summary>
internal sealed class StoredScriptHost : IAsyncDisposable
{
    public const string AdminToken = "stored-scripts-admin-token-00001";
    public const string Api = "/api/w/demo";
    public const string CodePath = "u/code/hello";
    public const int MaxContent = 4096;
    public const int MaxFlowDefinition = 4096;

    private readonly TempDatabase _database = new();
    private WebApplication _app = null!;

    private StoredScriptHost()
    {
    }

    public FakeTimeProvider Time { get; } = new(SampleApp.Start);

    public HttpClient Client { get; private set; } = null!;

    public IServiceProvider Services => _app.Services;

    public static async Task<StoredScriptHost> StartAsync()
    {
        var host = new StoredScriptHost();
        await host.BuildAndStartAsync();
        return host;
    }

    /// <summary>Stops the host and starts a new one over the same database, as a process restart would.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await BuildAndStartAsync();
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
        await StopAsync();
        _database.Dispose();
    }

    private async Task BuildAndStartAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(Time);
        builder.Services
            .AddWindmillWebhooks(options =>
            {
                options.AdminToken = AdminToken;
                options.MaxScriptContentSize = MaxContent;
                options.MaxFlowDefinitionSize = MaxFlowDefinition;
            })
            .UseSqlite(_database.ConnectionString)
            .AddScript(CodePath, () => "hello from code")
            .AddScriptCompiler<TestLanguageCompiler>()
            .AddJobExecutor<TestLanguageExecutor>()
            .AddJavaScript();
        _app = builder.Build();
        _app.MapWindmillWebhooks();
        await _app.StartAsync();
        Client = _app.GetTestClient();
        Client.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
    }

    private async Task StopAsync()
    {
        Client.Dispose();
        await Services.GetRequiredService<TokenService>().FlushUsageAsync(CancellationToken.None);
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
