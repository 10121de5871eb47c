using System.Net;
using System.Text;
using System.Text.Json;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>The run routes (docs/wire-format.md §1–§3): async 201 + job id, sync results, GET payloads and body parsing.</summary>
public sealed class WebhookRouteTests
{
    private const string Jobs = SampleApp.Api + "/jobs";

    // {"name":"~~~>>>???"} encodes to eyJuYW1lIjoifn5+Pj4+Pz8/In0= : '+', '/' and padding, so both alphabets really differ.
    private const string PayloadJson = """{"name":"~~~>>>???"}""";

    [Fact]
    public async Task Async_run_by_path_answers_201_with_the_bare_job_id_and_the_job_completes()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();

        using var response = await client.PostAsync(Jobs + "/run/p/u/bot/hello_world", Wire.JsonBody("""{"name":"Ada"}"""));

        var id = await Wire.AssertCreatedJobAsync(response);
        var job = await app.WaitForCompletionAsync(id);
        Assert.Equal((JobStatus.Success, "\"Hello, Ada!\""), (job.Status, job.Result?.GetRawText()));
    }

    [Fact]
    public async Task Async_run_by_hash_runs_the_version_named_by_scripts_get()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var hash = await GetHashAsync(client, "u/bot/hello_world");

        using var response = await client.PostAsync($"{Jobs}/run/h/{hash}", Wire.JsonBody("""{"name":"Hash"}"""));

        var id = await Wire.AssertCreatedJobAsync(response);
        var job = await app.WaitForCompletionAsync(id);
        Assert.Equal((JobStatus.Success, "\"Hello, Hash!\"", "u/bot/hello_world", hash),
            (job.Status, job.Result?.GetRawText(), job.Runnable.Path, job.Runnable.Hash.ToString()));
    }

    [Fact]
    public async Task Sync_run_by_hash_returns_the_result()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var hash = await GetHashAsync(client, "u/bot/hello_world");

        using var response = await client.PostAsync($"{Jobs}/run_wait_result/h/{hash}", Wire.JsonBody("""{"name":"Pinned"}"""));

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, "\"Hello, Pinned!\"");
    }

    [Fact]
    public async Task Sync_get_decodes_a_standard_base64_payload()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes(PayloadJson));
        Assert.Contains('+', payload);
        Assert.Contains('/', payload);
        Assert.EndsWith("=", payload);

        // As Windmill's UI builds it: encodeURIComponent(btoa(JSON.stringify(args))).
        using var response = await client.GetAsync($"{Jobs}/run_wait_result/p/u/bot/hello_world?payload={Uri.EscapeDataString(payload)}");

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, "\"Hello, ~~~>>>???!\"");
    }

    [Fact]
    public async Task Sync_get_decodes_an_unpadded_url_safe_base64_payload()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes(PayloadJson)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        Assert.Contains('-', payload);
        Assert.Contains('_', payload);

        using var response = await client.GetAsync($"{Jobs}/run_wait_result/p/u/bot/hello_world?payload={payload}");

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, "\"Hello, ~~~>>>???!\"");
    }

    [Fact]
    public async Task Sync_get_by_hash_without_payload_runs_with_no_args()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        var hash = await GetHashAsync(client, "u/bot/hello_world");

        using var response = await client.GetAsync($"{Jobs}/run_wait_result/h/{hash}");

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, "\"Hello, world!\"");
    }

    [Theory]
    [InlineData("[1,2]", """{"body":[1,2]}""")]
    [InlineData("\"text\"", """{"body":"text"}""")]
    [InlineData("42", """{"body":42}""")]
    [InlineData("true", """{"body":true}""")]
    [InlineData("null", """{"body":null}""")]
    public async Task A_non_object_json_body_becomes_the_body_arg(string body, string expectedArgs)
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();

        using var response = await client.PostAsync(Jobs + "/run_wait_result/p/u/bot/echo", Wire.JsonBody(body));

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, expectedArgs);
    }

    [Fact]
    public async Task An_empty_body_without_content_type_means_no_args()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, Jobs + "/run_wait_result/p/u/bot/echo");

        using var response = await client.SendAsync(request);

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, "{}");
    }

    [Fact]
    public async Task A_json_body_without_content_type_is_parsed_as_json()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        using var content = new ByteArrayContent("""{"a":1}"""u8.ToArray());

        using var response = await client.PostAsync(Jobs + "/run_wait_result/p/u/bot/echo", content);

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, """{"a":1}""");
    }

    [Fact]
    public async Task A_text_plain_body_arrives_as_raw_string()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        using var content = new StringContent("line one\nline \"two\"", Encoding.UTF8, "text/plain");

        using var response = await client.PostAsync(Jobs + "/run_wait_result/p/u/bot/echo", content);

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, """{"raw_string":"line one\nline \"two\""}""");
    }

    [Fact]
    public async Task A_form_body_becomes_string_args_and_a_bare_key_an_empty_string()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        using var content = new StringContent("a=1&b=two+words&flag", Encoding.UTF8, "application/x-www-form-urlencoded");

        using var response = await client.PostAsync(Jobs + "/run_wait_result/p/u/bot/echo", content);

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, """{"a":"1","b":"two words","flag":""}""");
    }

    [Fact]
    public async Task An_unsupported_content_type_gets_415_with_an_empty_body_and_no_job()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        using var content = new StringContent("<img/>", Encoding.UTF8, "image/svg+xml");

        using var response = await client.PostAsync(Jobs + "/run/p/u/bot/echo", content);

        Assert.Equal((HttpStatusCode.UnsupportedMediaType, ""), (response.StatusCode, await response.Content.ReadAsStringAsync()));
        Assert.Equal(0, await app.CountJobsAsync());
    }

    [Fact]
    public async Task Wrap_body_raw_include_header_and_include_query_add_their_args()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        using var request = new HttpRequestMessage(HttpMethod.Post,
            Jobs + "/run_wait_result/p/u/bot/echo?wrap_body=true&raw=true&include_header=X-Request-Source&include_query=source&source=ci")
        {
            Content = Wire.JsonBody("""{"a":1}"""),
        };
        request.Headers.Add("X-Request-Source", "github");

        using var response = await client.SendAsync(request);

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json,
            """{"body":{"a":1},"x_request_source":"github","source":"ci","raw_string":"{\"a\":1}"}""");
    }

    [Fact]
    public async Task A_body_over_the_size_limit_gets_413_and_no_job()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        using var content = new StringContent(new string('a', (2 * 1024 * 1024) + 1), Encoding.UTF8, "text/plain");

        using var response = await client.PostAsync(Jobs + "/run/p/u/bot/echo", content);

        await Wire.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, Wire.Text, "Payload too large: the body exceeds 2097152 bytes");
        Assert.Equal(0, await app.CountJobsAsync());
    }

    [Theory]
    [InlineData("u/bot/fail", "{}", """{"error":{"name":"ScriptArgumentException","message":"Missing required argument 'message' of type String."}}""")]
    [InlineData("u/bot/sleep", """{"ms":"soon"}""", null)]
    public async Task Args_that_do_not_fit_the_script_fail_the_job_with_422(string path, string args, string? exactError)
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();

        using var response = await client.PostAsync($"{Jobs}/run_wait_result/p/{path}", Wire.JsonBody(args));

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal((HttpStatusCode.UnprocessableEntity, Wire.Json), (response.StatusCode, Wire.ContentType(response)));
        if (exactError is not null)
        {
            Assert.Equal(exactError, body);
        }
        else
        {
            Assert.StartsWith("""{"error":{"name":"ScriptArgumentException","message":"Argument 'ms' is not a valid Int32: """, body, StringComparison.Ordinal);
        }
    }

    internal static async Task<string> GetHashAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync($"{SampleApp.Api}/scripts/get/p/{path}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var script = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return script.RootElement.GetProperty("hash").GetString()!;
    }
}
