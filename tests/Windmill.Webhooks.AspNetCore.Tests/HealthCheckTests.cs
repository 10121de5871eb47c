using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.Storage.Sqlite;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>
/// The sample's <c>/healthz</c> (<c>AddHealthChecks().AddWindmillWebhooks()</c>): healthy while the storage takes writes and
/// no due job waits longer than <c>MaxQueueWait</c>; otherwise the status and a reason naming what is wrong.
/// </summary>
public sealed class HealthCheckTests
{
    private const string Text = "text/plain";

    [Fact]
    public async Task A_healthy_host_answers_200_Healthy_without_a_token()
    {
        await using var sample = new SampleApp();
        using var anonymous = sample.CreateAnonymousClient();
        using var run = await sample.CreateAdminClient().PostAsync(SampleApp.Api + "/jobs/run_wait_result/p/u/bot/hello_world", Wire.JsonBody("{}"));
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);

        using var health = await anonymous.GetAsync("/healthz");

        await Wire.AssertAsync(health, HttpStatusCode.OK, Text, "Healthy");
        Assert.Equal(0L, CountIdempotencyKeys(sample.DatabasePath)); // the write probe removed its row
    }

    [Fact]
    public async Task A_due_job_that_no_worker_starts_within_MaxQueueWait_makes_the_host_degraded_with_the_reason()
    {
        await using var sample = new SampleApp();
        await using var noWorkers = sample.WithWebHostBuilder(web => web.UseSetting("Windmill:WorkerCount", "0"));
        using var client = noWorkers.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SampleApp.AdminToken);
        var id = await Wire.AssertCreatedJobAsync(await client.PostAsync(SampleApp.Api + "/jobs/run/p/u/bot/hello_world", Wire.JsonBody("{}")));

        sample.Time.Advance(TimeSpan.FromMinutes(1));
        using var atTheThreshold = await client.GetAsync("/healthz");
        sample.Time.Advance(TimeSpan.FromSeconds(1));
        using var pastIt = await client.GetAsync("/healthz");
        var report = await noWorkers.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        await Wire.AssertAsync(atTheThreshold, HttpStatusCode.OK, Text, "Healthy");
        await Wire.AssertAsync(pastIt, HttpStatusCode.OK, Text, "Degraded");
        var entry = report.Entries["windmill"];
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal($"Job queue stalled: job {id} in workspace 'demo' has been due for 00:01:01 without starting (MaxQueueWait 00:01:00); "
            + "this process runs no jobs (WorkerCount 0): are the processes that run them up?", entry.Description);
    }

    [Fact]
    public async Task Storage_that_refuses_writes_makes_the_host_unhealthy_with_the_reason()
    {
        await using var sample = new SampleApp();
        using var anonymous = sample.CreateAnonymousClient();
        using var before = await anonymous.GetAsync("/healthz");

        // As on a read-only file or mount (file modes cannot show it: the tests run as root).
        await sample.Services.GetRequiredService<SqliteDatabase>().WriteAsync(QueryOnly, CancellationToken.None);
        using var after = await anonymous.GetAsync("/healthz");
        var entry = (await sample.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["windmill"];

        await Wire.AssertAsync(before, HttpStatusCode.OK, Text, "Healthy");
        await Wire.AssertAsync(after, HttpStatusCode.ServiceUnavailable, Text, "Unhealthy");
        Assert.Equal((HealthStatus.Unhealthy, "Storage is not writable: the database is read-only"), (entry.Status, entry.Description));
    }

    private static long CountIdempotencyKeys(string databasePath)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM idempotency_key";
        return (long)command.ExecuteScalar()!;
    }

    private static int QueryOnly(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA query_only = 1";
        return command.ExecuteNonQuery();
    }
}
