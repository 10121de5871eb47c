using System.Net;
using System.Text;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>Bad input gets a clear 4xx in Windmill's text format, never a 5xx, and writes no job (docs/design.md, reliability).</summary>
public sealed class BadInputTests
{
    private const string Jobs = SampleApp.Api + "/jobs";
    private const string UnknownJob = "0190f6b2-3c1e-7d2a-9b1f-0f9a1c2b3d4e";

    public static TheoryData<string, string, string?, HttpStatusCode, string> ExactErrors => new()
    {
        { "POST", Jobs + "/run/p/u/bot/nope", "{}", HttpStatusCode.NotFound, "Not found: Script not found at name u/bot/nope" },
        { "POST", Jobs + "/run_wait_result/p/u/bot/nope", "{}", HttpStatusCode.NotFound, "Not found: Script not found at name u/bot/nope" },
        { "GET", Jobs + "/run_wait_result/p/u/bot/nope", null, HttpStatusCode.NotFound, "Not found: Script not found at name u/bot/nope" },
        { "POST", Jobs + "/run/h/0123456789abcdef", "{}", HttpStatusCode.NotFound, "Not found: Script not found at hash 0123456789abcdef" },
        { "POST", Jobs + "/run_wait_result/h/0123456789abcdef", "{}", HttpStatusCode.NotFound, "Not found: Script not found at hash 0123456789abcdef" },
        { "GET", SampleApp.Api + "/jobs_u/get/" + UnknownJob, null, HttpStatusCode.NotFound, $"Not found: Job {UnknownJob} not found" },
        { "GET", SampleApp.Api + "/jobs_u/completed/get_result/" + UnknownJob, null, HttpStatusCode.NotFound, $"Not found: Job {UnknownJob} not found" },
        { "POST", SampleApp.Api + "/jobs_u/queue/cancel/" + UnknownJob, null, HttpStatusCode.NotFound, $"Not found: queued job id {UnknownJob} does not exist" },
        { "POST", Jobs + "/run/h/0123456789abcdeg", "{}", HttpStatusCode.BadRequest, "Bad request: invalid script hash: 0123456789abcdeg: expected 16 hex characters" },
        { "POST", Jobs + "/run/h/0123", "{}", HttpStatusCode.BadRequest, "Bad request: invalid script hash: 0123: expected 16 hex characters" },
        { "POST", Jobs + "/run_wait_result/h/0123456789abcdef00", "{}", HttpStatusCode.BadRequest, "Bad request: invalid script hash: 0123456789abcdef00: expected 16 hex characters" },
        { "POST", Jobs + "/run/p/u/bot", "{}", HttpStatusCode.BadRequest, "Bad request: invalid script path: u/bot" },
        { "GET", Jobs + "/run_wait_result/p/u/bot/echo?payload=%25%25%25", null, HttpStatusCode.BadRequest, "Bad request: Impossible to decode query payload: invalid base64" },
        // Valid base64 of [1]: JSON, but not an object of args.
        { "GET", Jobs + "/run_wait_result/p/u/bot/echo?payload=WzFd", null, HttpStatusCode.BadRequest, "Bad request: Impossible to decode query payload: the payload is not a JSON object" },
        { "GET", SampleApp.Api + "/jobs_u/get/not-a-uuid", null, HttpStatusCode.BadRequest, "Bad request: invalid job id: not-a-uuid: expected a UUID" },
        { "GET", SampleApp.Api + "/jobs_u/completed/get_result_maybe/12345", null, HttpStatusCode.BadRequest, "Bad request: invalid job id: 12345: expected a UUID" },
        { "POST", SampleApp.Api + "/jobs_u/queue/cancel/not-a-uuid", null, HttpStatusCode.BadRequest, "Bad request: invalid job id: not-a-uuid: expected a UUID" },
        // Issue 9: lone surrogate escapes (which System.Text.Json parses but cannot read back) and out-of-range times answered 500.
        { "POST", Jobs + "/run/p/u/bot/echo", """{"a":"\ud800"}""", HttpStatusCode.BadRequest, "Bad request: invalid json: lone surrogate in hex escape in the string at byte 5" },
        { "POST", Jobs + "/run_wait_result/p/u/bot/echo", """{"\udc00":1}""", HttpStatusCode.BadRequest, "Bad request: invalid json: lone surrogate in hex escape in the string at byte 1" },
        { "POST", Jobs + "/run/p/u/bot/echo", """{"a":["ok","\ud83d\ud83d"]}""", HttpStatusCode.BadRequest, "Bad request: invalid json: lone surrogate in hex escape in the string at byte 11" },
        { "POST", Jobs + "/run/p/u/bot/echo", """["\ude00\ud83d"]""", HttpStatusCode.BadRequest, "Bad request: invalid json: lone surrogate in hex escape in the string at byte 1" },
        // Base64 of {"a":"\ud800"}.
        {
            "GET", Jobs + "/run_wait_result/p/u/bot/echo?payload=eyJhIjoiXHVkODAwIn0%3D", null, HttpStatusCode.BadRequest,
            "Bad request: Impossible to decode query payload: invalid json: lone surrogate in hex escape in the string at byte 5"
        },
        { "POST", Jobs + "/run/p/u/bot/echo?scheduled_in_secs=-99999999999", "{}", HttpStatusCode.BadRequest, "Failed to deserialize query string: scheduled_in_secs: too far in the past" },
        { "GET", Jobs + "/run_wait_result/p/u/bot/echo?scheduled_in_secs=-9223372036854775808", null, HttpStatusCode.BadRequest, "Failed to deserialize query string: scheduled_in_secs: too far in the past" },
        { "POST", Jobs + "/run/p/u/bot/echo?scheduled_in_secs=9223372036854775807", "{}", HttpStatusCode.BadRequest, "Failed to deserialize query string: scheduled_in_secs: too far in the future" },
    };

    // Only the parser's own wording after the prefix is left unpinned.
    public static TheoryData<string, string, string?, HttpStatusCode, string> ErrorPrefixes => new()
    {
        { "POST", Jobs + "/run/p/u/bot/echo", "{\"a\":", HttpStatusCode.BadRequest, "Bad request: invalid json: " },
        { "POST", Jobs + "/run_wait_result/p/u/bot/echo", "not json", HttpStatusCode.BadRequest, "Bad request: invalid json: " },
        { "POST", Jobs + "/run/p/u/bot/echo", "", HttpStatusCode.BadRequest, "Bad request: invalid json: " },
        // Valid base64 of "{oops": decodable, but not JSON.
        { "GET", Jobs + "/run_wait_result/p/u/bot/echo?payload=e29vcHM", null, HttpStatusCode.BadRequest, "Bad request: Impossible to decode query payload: " },
    };

    [Theory]
    [MemberData(nameof(ExactErrors))]
    public async Task Bad_input_gets_the_exact_windmill_error_and_writes_no_job(string method, string url, string? json, HttpStatusCode status, string body)
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var jobsBefore = await app.CountJobsAsync();

        using var response = await SendAsync(client, method, url, json);

        await Wire.AssertAsync(response, status, Wire.Text, body);
        Assert.Equal(jobsBefore, await app.CountJobsAsync());
    }

    [Theory]
    [MemberData(nameof(ErrorPrefixes))]
    public async Task Malformed_input_gets_a_windmill_4xx_text_error_and_writes_no_job(string method, string url, string? json, HttpStatusCode status, string prefix)
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var jobsBefore = await app.CountJobsAsync();

        using var response = await SendAsync(client, method, url, json);

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal((status, Wire.Text), (response.StatusCode, Wire.ContentType(response)));
        Assert.StartsWith(prefix, body, StringComparison.Ordinal);
        Assert.True(body.Length > prefix.Length, "the error says what is wrong");
        Assert.Equal(jobsBefore, await app.CountJobsAsync());
    }

    [Fact]
    public async Task Invalid_utf8_gets_400_invalid_utf8()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        using var content = new ByteArrayContent([(byte)'{', 0xC3, 0x28, (byte)'}']);
        content.Headers.ContentType = new("application/json");

        using var response = await client.PostAsync(Jobs + "/run/p/u/bot/echo", content);

        await Wire.AssertAsync(response, HttpStatusCode.BadRequest, Wire.Text, "Bad request: invalid utf8");
        Assert.Equal(0, await app.CountJobsAsync());
    }

    [Fact]
    public async Task Job_count_sees_an_accepted_run_but_not_a_rejected_one()
    {
        // Guards the count used above: a real run is counted, so "unchanged" means something.
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();

        using var response = await client.PostAsync(Jobs + "/run/p/u/bot/echo", Wire.JsonBody("{}"));
        using var rejected = await client.PostAsync(Jobs + "/run/p/u/bot/nope", Wire.JsonBody("{}"));

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.NotFound), (response.StatusCode, rejected.StatusCode));
        Assert.Equal(1, await app.CountJobsAsync());
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string url, string? json)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = new("application/json");
        }

        return client.SendAsync(request);
    }
}
