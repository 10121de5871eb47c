using System.Net;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>The <c>Idempotency-Key</c> header on the run routes: Stripe's semantics and the IETF draft's status codes.</summary>
public sealed class IdempotencyTests : SampleAppTest
{
    private const string RunEcho = SampleApp.Api + "/jobs/run/p/u/bot/echo";
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
    public async Task Retry_while_the_first_request_is_in_flight_is_409_and_later_gets_the_first_answer()
    {
        var jobId = Guid.CreateVersion7();
        var sync = $"{SampleApp.Api}/jobs/run_wait_result/p/u/bot/sleep?job_id={jobId}";
        var first = PostAsync(sync, "key-3", """{"ms":600000}""");
        await App.JobStarts.StartedAsync(jobId);

        using var during = await PostAsync(sync, "key-3", """{"ms":600000}""");
        await Wire.AssertAsync(during, HttpStatusCode.Conflict, Wire.Text, "A request with this Idempotency-Key is still in progress; retry once it has been answered");
        await Client.PostAsync($"{SampleApp.Api}/jobs_u/queue/cancel/{jobId}", Wire.JsonBody("""{"reason":"test over"}"""));
        using var answered = await first.Within();
        var firstBody = await answered.Content.ReadAsStringAsync();
        using var after = await PostAsync(sync, "key-3", """{"ms":600000}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, answered.StatusCode);
        await Wire.AssertAsync(after, HttpStatusCode.UnprocessableEntity, Wire.Json, firstBody);
        Assert.Equal(1, await App.CountJobsAsync());
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
        var (other, _) = await App.Tokens.CreateAsync(new Windmill.Webhooks.Tokens.NewTokenRequest { Owner = "bob" }, CancellationToken.None);
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

    private Task<HttpResponseMessage> PostAsync(string url, string key, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = Wire.JsonBody(json) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return Client.SendAsync(request);
    }
}
