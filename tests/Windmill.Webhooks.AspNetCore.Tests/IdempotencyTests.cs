using System.Collections.Concurrent;
using System.Net;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Idempotency;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Storage;
using Windmill.Webhooks.Storage.InMemory;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>The <c>Idempotency-Key</c> header on the run routes: Stripe's semantics and the IETF draft's status codes.</summary>
public sealed class IdempotencyTests : SampleAppTest
{
    private const string RunEcho = SampleApp.Api + "/jobs/run/p/u/bot/echo";
    private const string HostSyncEcho = BlockingScriptHost.Api + "/jobs/run_wait_result/p/u/test/echo";

    [Fact]
    public async Task Same_key_and_body_gets_the_same_job_id_and_runs_once()
    {
        using var first = await PostAsync(RunEcho, "key-1", """{"a":1}""");
        var id = await Wire.AssertCreatedJobAsync(first);
        using var retry = await PostAsync(RunEcho, "key-1", """{"a":1}""");

        await Wire.AssertAsync(retry, HttpStatusCode.Created, Wire.Text, id.ToString());
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, await App.CountJobsAsync());
    }

    [Fact]
    public async Task Quoted_key_of_the_ietf_draft_is_the_same_key() =>
        Assert.Equal(await Wire.AssertCreatedJobAsync(await PostAsync(RunEcho, "k", "{}")),
            await Wire.AssertCreatedJobAsync(await PostAsync(RunEcho, "\"k\"", "{}")));

    [Fact]
    public async Task Same_key_with_another_body_is_422()
    {
        await Wire.AssertCreatedJobAsync(await PostAsync(RunEcho, "key-2", """{"a":1}"""));

        await Wire.AssertAsync(await PostAsync(RunEcho, "key-2", """{"a":2}"""), HttpStatusCode.UnprocessableEntity, Wire.Text,
            "This Idempotency-Key was already used with a different request; use a new key for a new request");
        await Wire.AssertAsync(await PostAsync(RunEcho + "?tag=other", "key-2", """{"a":1}"""), HttpStatusCode.UnprocessableEntity, Wire.Text,
            "This Idempotency-Key was already used with a different request; use a new key for a new request");
        Assert.Equal(1, await App.CountJobsAsync());
    }

    [Fact]
    public async Task Sync_retries_while_the_first_request_waits_wait_for_the_same_job_and_get_its_answer()
    {
        var jobId = Guid.CreateVersion7();
        var sync = $"{SampleApp.Api}/jobs/run_wait_result/p/u/bot/sleep?job_id={jobId}";
        var first = PostAsync(sync, "key-3", """{"ms":600000}""");
        await App.JobStarts.StartedAsync(jobId);

        var retries = Enumerable.Range(0, 5).Select(_ => PostAsync(sync, "key-3", """{"ms":600000}""")).ToList();
        var anyAnsweredEarly = retries.Any(r => r.IsCompleted);
        await Client.PostAsync($"{SampleApp.Api}/jobs_u/queue/cancel/{jobId}", Wire.JsonBody("""{"reason":"test over"}"""));
        using var answered = await first.Within();
        var firstBody = await answered.Content.ReadAsStringAsync();

        Assert.False(anyAnsweredEarly);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, answered.StatusCode);
        foreach (var retry in await Task.WhenAll(retries).Within())
        {
            await Wire.AssertAsync(retry, HttpStatusCode.UnprocessableEntity, Wire.Json, firstBody);
            Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        }

        Assert.Equal(1, await App.CountJobsAsync());
    }

    [Fact]
    public async Task Fifty_concurrent_retries_after_the_first_answer_all_replay_its_job()
    {
        var first = await Wire.AssertCreatedJobAsync(await PostAsync(RunEcho, "key-50", """{"a":1}"""));
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = Enumerable.Range(0, 50).Select(async _ =>
        {
            await go.Task; // all 50 leave together
            return await PostAsync(RunEcho, "key-50", """{"a":1}""");
        }).ToList();

        go.SetResult();
        var retries = await Task.WhenAll(sent).Within();

        foreach (var retry in retries)
        {
            await Wire.AssertAsync(retry, HttpStatusCode.Created, Wire.Text, first.ToString());
            Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        }

        Assert.Equal(1, await App.CountJobsAsync());
    }

    [Fact]
    public async Task A_retry_before_the_first_requests_job_is_committed_is_409_and_replays_once_it_is()
    {
        var gate = new EnqueueGate();
        await using var host = await BlockingScriptHost.StartAsync(gate: gate);
        var first = PostAsync(host.Client, BlockingScriptHost.Api + "/jobs/run/p/u/test/echo", "early", "{}");
        await gate.Entered;

        using var early = await PostAsync(host.Client, BlockingScriptHost.Api + "/jobs/run/p/u/test/echo", "early", "{}");
        gate.Open();
        var id = await Wire.AssertCreatedJobAsync(await first.Within());
        using var later = await PostAsync(host.Client, BlockingScriptHost.Api + "/jobs/run/p/u/test/echo", "early", "{}");

        await Wire.AssertAsync(early, HttpStatusCode.Conflict, Wire.Text,
            "A request with this Idempotency-Key is still in progress; retry once it has been answered");
        await Wire.AssertAsync(later, HttpStatusCode.Created, Wire.Text, id.ToString());
        Assert.Equal("true", later.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, await host.CountJobsAsync());
    }

    [Fact]
    public async Task A_request_that_failed_after_its_job_was_committed_keeps_its_key_and_its_retry_replays_the_job()
    {
        await using var host = await BlockingScriptHost.StartAsync(services: s => s.AddSingleton<IAuditSink, FailingOnceAuditSink>());

        using var failed = await PostAsync(host.Client, BlockingScriptHost.Api + "/jobs/run/p/u/test/echo", "audit-down", "{}");
        using var retry = await PostAsync(host.Client, BlockingScriptHost.Api + "/jobs/run/p/u/test/echo", "audit-down", "{}");

        await Wire.AssertAsync(failed, HttpStatusCode.ServiceUnavailable, Wire.Text, "Service unavailable: the database is full");
        var id = await Wire.AssertCreatedJobAsync(retry);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(id, Assert.Single(await host.Runner.ListAsync(new JobQuery { Workspace = "demo" }, CancellationToken.None).ToListAsync()).Id);
        // The failed audit write did not strand the committed job: it runs.
        Assert.Equal(JobStatus.Success, (await host.Runner.WaitForCompletionAsync("demo", id, CancellationToken.None))?.Status);
    }

    // The admin token and each of these tokens belong to user admin: before keys were scoped to tokens, each got the admin's answer replayed.
    [Theory]
    [InlineData("read-only", "Permission denied: Token is read-only. Mutating endpoints are not allowed.")]
    [InlineData("scoped to another script", "Permission denied: Required scope: jobs:run:scripts:u/test/echo")]
    [InlineData("webhook token of another script", "Permission denied: Required scope: jobs:run:scripts:u/test/echo")]
    public async Task A_replay_by_a_narrower_token_of_the_same_user_is_refused_as_its_first_run_would_be(string token, string refusal)
    {
        await using var host = await BlockingScriptHost.StartAsync();
        using var first = await PostAsync(host.Client, HostSyncEcho, "admins", """{"secret":1}""");
        using var narrower = await host.CreateClientWithTokenAsync(token switch
        {
            "read-only" => new NewTokenRequest { Owner = "admin", ReadOnly = true },
            "scoped to another script" => new NewTokenRequest { Owner = "admin", Scopes = ["jobs:run:scripts:u/test/block"] },
            _ => new NewTokenRequest { Owner = "admin", Label = "webhook-admin-x1Ab", WorkspaceId = "demo", Scopes = ["jobs:run:scripts:u/test/block"] },
        });

        using var replay = await PostAsync(narrower, HostSyncEcho, "admins", """{"secret":1}""");

        await Wire.AssertAsync(first, HttpStatusCode.OK, Wire.Json, """{"secret":1}""");
        await Wire.AssertAsync(replay, HttpStatusCode.Forbidden, Wire.Text, refusal);
        Assert.False(replay.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task Another_token_of_the_same_user_has_keys_of_its_own()
    {
        await using var host = await BlockingScriptHost.StartAsync();
        var admins = await Wire.AssertCreatedJobAsync(await PostAsync(host.Client, BlockingScriptHost.Api + "/jobs/run/p/u/test/echo", "admins", "{}"));
        using var other = await host.CreateClientWithTokenAsync(new NewTokenRequest { Owner = "admin" });

        using var own = await PostAsync(other, BlockingScriptHost.Api + "/jobs/run/p/u/test/echo", "admins", "{}");

        Assert.NotEqual(admins, await Wire.AssertCreatedJobAsync(own));
        Assert.False(own.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2, await host.CountJobsAsync());
    }

    [Fact]
    public async Task Key_expires_after_24_hours()
    {
        var first = await Wire.AssertCreatedJobAsync(await PostAsync(RunEcho, "key-4", "{}"));

        App.Time.Advance(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        var within = await Wire.AssertCreatedJobAsync(await PostAsync(RunEcho, "key-4", "{}"));
        App.Time.Advance(TimeSpan.FromSeconds(2));
        var after = await Wire.AssertCreatedJobAsync(await PostAsync(RunEcho, "key-4", "{}"));

        Assert.Equal(first, within);
        Assert.NotEqual(first, after);
    }

    [Fact]
    public async Task A_request_that_started_no_job_does_not_use_up_its_key()
    {
        await Wire.AssertAsync(await PostAsync(SampleApp.Api + "/jobs/run/p/u/bot/missing", "key-5", "{}"), HttpStatusCode.NotFound, Wire.Text,
            "Not found: Script not found at name u/bot/missing");

        var id = await Wire.AssertCreatedJobAsync(await PostAsync(RunEcho, "key-5", "{}"));

        Assert.Equal(1, await App.CountJobsAsync());
        Assert.Equal(id, await Wire.AssertCreatedJobAsync(await PostAsync(RunEcho, "key-5", "{}")));
    }

    [Fact]
    public async Task Keys_belong_to_their_caller()
    {
        var (other, _) = await App.Tokens.CreateAsync(new NewTokenRequest { Owner = "bob" }, CancellationToken.None);
        using var bob = App.CreateClientWithBearer(other);
        using var request = new HttpRequestMessage(HttpMethod.Post, RunEcho) { Content = Wire.JsonBody("{}") };
        request.Headers.Add("Idempotency-Key", "shared");

        var admins = await Wire.AssertCreatedJobAsync(await PostAsync(RunEcho, "shared", "{}"));
        var bobs = await Wire.AssertCreatedJobAsync(await bob.SendAsync(request));

        Assert.NotEqual(admins, bobs);
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("tab\tinside")]
    public async Task Malformed_key_is_a_bad_request(string key) =>
        await Wire.AssertAsync(await PostAsync(RunEcho, key, "{}"), HttpStatusCode.BadRequest, Wire.Text,
            "Bad request: Idempotency-Key must be one value of 1 to 255 visible ASCII characters, optionally in double quotes");

    [Fact]
    public async Task Too_long_key_is_a_bad_request() => await Malformed_key_is_a_bad_request(new string('k', 256));

    [Fact]
    public async Task A_store_of_the_hosts_own_holds_the_keys()
    {
        var log = new ClaimLog();
        await using var host = await BlockingScriptHost.StartAsync(services: s => s.AddSingleton(log).AddWindmillWebhooksCore().AddIdempotencyStore<LoggingIdempotencyStore>());
        const string url = BlockingScriptHost.Api + "/jobs/run/p/u/test/echo";

        var id = await Wire.AssertCreatedJobAsync(await PostAsync(host.Client, url, "own-store", "{}"));
        using var retry = await PostAsync(host.Client, url, "own-store", "{}");

        await Wire.AssertAsync(retry, HttpStatusCode.Created, Wire.Text, id.ToString());
        Assert.Equal([("own-store", id, true), ("own-store", id, false)], log.Claims);
    }

    private Task<HttpResponseMessage> PostAsync(string url, string key, string json) => PostAsync(Client, url, key, json);

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string url, string key, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = Wire.JsonBody(json) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    /// <summary>An audit log whose first <c>jobs.run.script</c> fails as a full disk would: the job is committed, its audit entry is not.</summary>
    private sealed class FailingOnceAuditSink : IAuditSink
    {
        private int _runs;

        public ValueTask WriteAsync(AuditEntry entry, CancellationToken cancellationToken) =>
            entry.Operation == "jobs.run.script" && Interlocked.Increment(ref _runs) == 1
                ? throw new StorageUnavailableException("the database is full")
                : ValueTask.CompletedTask;
    }

    private sealed class ClaimLog
    {
        public ConcurrentQueue<(string Key, Guid JobId, bool Inserted)> Claims { get; } = new();
    }

    /// <summary>A host's own <see cref="IIdempotencyStore"/>: the in-memory one, logging each claim.</summary>
    private sealed class LoggingIdempotencyStore(ClaimLog log) : IIdempotencyStore
    {
        private readonly InMemoryIdempotencyStore _inner = new();

        public async ValueTask<ClaimedIdempotencyKey> ClaimAsync(IdempotencyRecord record, DateTimeOffset expiredBefore, CancellationToken cancellationToken)
        {
            var claimed = await _inner.ClaimAsync(record, expiredBefore, cancellationToken);
            log.Claims.Enqueue((claimed.Held.Key, claimed.Held.JobId, claimed.Inserted));
            return claimed;
        }

        public ValueTask ReleaseAsync(IdempotencyRecord record, CancellationToken cancellationToken) => _inner.ReleaseAsync(record, cancellationToken);
    }
}
