using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Windmill.Webhooks.PostgreSql.Tests.Infrastructure;

namespace Windmill.Webhooks.PostgreSql.Tests;

/// <summary>
/// A database that is down at start or goes away mid-run (a cut that resets every connection, as a crash or a failover does),
/// and a statement that runs past its timeout: the caller gets <c>503 Service unavailable</c>, nothing half-done is kept, and
/// the host recovers once the database is back, without a restart.
/// </summary>
public sealed class OutageTests : IAsyncLifetime
{
    private const string AdminToken = "outage-admin-token-0123456789abcdef";
    private TestSchema? _schema;
    private TcpProxy? _proxy;

    public async ValueTask InitializeAsync()
    {
        _schema = await TestSchema.CreateAsync();
        _proxy = new TcpProxy(_schema.Cluster.Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _proxy!.DisposeAsync();
        await _schema!.DisposeAsync();
    }

    [Fact]
    public async Task A_database_down_at_start_answers_503_and_the_host_serves_once_it_is_back()
    {
        _proxy!.Cut();
        await using var app = await StartAsync(ProxiedConnectionString());
        using var client = app.GetTestClient();

        var down = await RunAsync(client);
        _proxy.Restore();
        var back = await RunAsync(client);

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "text/plain", "Service unavailable: the database cannot be reached"), down);
        Assert.Equal(HttpStatusCode.Created, back.Status);
        Assert.True(Guid.TryParse(back.Body, out _), back.Body);
    }

    [Fact]
    public async Task A_database_that_goes_away_mid_run_answers_503_then_recovers_without_a_restart_and_keeps_every_accepted_job()
    {
        await using var app = await StartAsync(ProxiedConnectionString());
        using var client = app.GetTestClient();
        var before = await RunAsync(client);

        _proxy!.Cut(); // every pooled connection is reset, as after a crash or a failover
        var down = await RunAsync(client);
        _proxy.Restore();
        var back = await RunAsync(client);

        Assert.Equal(HttpStatusCode.Created, before.Status);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "text/plain", "Service unavailable: the database cannot be reached"), down);
        Assert.Equal(HttpStatusCode.Created, back.Status);
        var result = await client.SendAsync(Authorized(HttpMethod.Get, $"/api/w/demo/jobs_u/completed/get_result_maybe/{back.Body}"));
        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        Assert.Equal(2L, await CountJobsAsync());
    }

    [Fact]
    public async Task A_statement_that_runs_past_the_servers_statement_timeout_answers_503_and_writes_nothing()
    {
        var connectionString = _schema!.Cluster.ConnectionString() + ";Options=-c statement_timeout=300";
        await using var app = await StartAsync(connectionString);
        using var client = app.GetTestClient();
        Assert.Equal(HttpStatusCode.Created, (await RunAsync(client)).Status);

        // Another session holds the job table: the next insert waits on it until the server's timeout stops it.
        await using var blocker = new NpgsqlConnection(_schema.Cluster.ConnectionString(maxPoolSize: 1));
        await blocker.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand($"LOCK TABLE {_schema.Name}.job IN ACCESS EXCLUSIVE MODE", blocker, transaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        var timedOut = await RunAsync(client);
        await transaction.RollbackAsync();
        var after = await RunAsync(client);

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "text/plain", "Service unavailable: a statement ran past its timeout"), timedOut);
        Assert.Equal(HttpStatusCode.Created, after.Status);
        Assert.Equal(2L, await CountJobsAsync());
    }

    private string ProxiedConnectionString() =>
        $"Host=127.0.0.1;Port={_proxy!.Port};Username=postgres;Database=postgres;Maximum Pool Size=10;Timeout=5";

    private async Task<WebApplication> StartAsync(string connectionString)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddWindmillWebhooks(options => options.AdminToken = AdminToken)
            .UsePostgreSql(connectionString, options => options.Schema = _schema!.Name)
            .AddScript("u/bot/echo", (JsonElement args) => args);
        var app = builder.Build();
        app.MapWindmillWebhooks();
        await app.StartAsync();
        return app;
    }

    private static async Task<(HttpStatusCode Status, string? ContentType, string Body)> RunAsync(HttpClient client)
    {
        using var request = Authorized(HttpMethod.Post, "/api/w/demo/jobs/run/p/u/bot/echo");
        request.Content = new StringContent("""{"n":1}""", Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    private static HttpRequestMessage Authorized(HttpMethod method, string url)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return request;
    }

    private async Task<long> CountJobsAsync()
    {
        await using var connection = new NpgsqlConnection(_schema!.Cluster.ConnectionString(maxPoolSize: 3));
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM {_schema.Name}.job", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
