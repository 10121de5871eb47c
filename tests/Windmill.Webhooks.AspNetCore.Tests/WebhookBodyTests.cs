using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>
/// Request bodies on the run routes (docs/wire-format.md §3.2, §3.3), seen through <c>u/bot/echo</c>, which
/// returns exactly the args its job received.
/// </summary>
public sealed class WebhookBodyTests : SampleAppTest
{
    private const string Echo = SampleApp.Api + "/jobs/run_wait_result/p/u/bot/echo";
    [Theory]
    [InlineData("""{"a":1,"b":{"c":[true,null]}}""", """{"a":1,"b":{"c":[true,null]}}""")]
    [InlineData("[1,2]", """{"body":[1,2]}""")]
    [InlineData("42", """{"body":42}""")]
    [InlineData("\"text\"", """{"body":"text"}""")]
    [InlineData("null", """{"body":null}""")]
    [InlineData("""{"a":1,"a":2}""", """{"a":2}""")]
    public async Task Json_object_is_the_args_and_any_other_value_is_wrapped_in_body(string body, string args) =>
        await AssertArgsAsync(Send("application/json", body), args);

    [Fact]
    public async Task Json_with_a_charset_parameter_is_json() =>
        await AssertArgsAsync(Send("application/json; charset=utf-8", """{"a":"é"}"""), """{"a":"é"}""");

    [Fact]
    public async Task Empty_body_without_content_type_is_no_args() =>
        await AssertArgsAsync(Send(null, ""), "{}");

    [Fact]
    public async Task Body_without_content_type_is_read_as_json() =>
        await AssertArgsAsync(Send(null, """{"a":1}"""), """{"a":1}""");

    [Fact]
    public async Task Empty_json_body_is_a_bad_request() =>
        await Wire.AssertAsync(await Client.SendAsync(Send("application/json", "")), HttpStatusCode.BadRequest, Wire.Text,
            "Bad request: invalid json: The input does not contain any JSON tokens. Expected the input to start with a valid JSON token, " +
            "when isFinalBlock is true. LineNumber: 0 | BytePositionInLine: 0.");

    [Fact]
    public async Task Malformed_json_is_a_bad_request_and_starts_no_job()
    {
        using var response = await Client.SendAsync(Send("application/json", "{\"a\":"));

        await Wire.AssertAsync(response, HttpStatusCode.BadRequest, Wire.Text,
            "Bad request: invalid json: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed. " +
            "LineNumber: 0 | BytePositionInLine: 5.");
        Assert.Equal(0, await App.CountJobsAsync());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/plain; charset=utf-8")]
    [InlineData("application/xml")]
    [InlineData("text/xml")]
    public async Task Text_and_xml_arrive_as_raw_string(string contentType) =>
        await AssertArgsAsync(Send(contentType, "<a>Zoë & co</a>"), """{"raw_string":"<a>Zoë & co</a>"}""");

    [Fact]
    public async Task Form_fields_are_string_args() =>
        await AssertArgsAsync(Send("application/x-www-form-urlencoded", "name=Ada+Lovelace&n=1&city=S%C3%A3o%20Paulo&flag&n=2"),
            """{"name":"Ada Lovelace","n":"2","city":"São Paulo","flag":""}""");

    [Fact]
    public async Task Form_with_raw_also_carries_the_raw_body() =>
        await AssertArgsAsync(Send("application/x-www-form-urlencoded", "a=1&b=2", "?raw=true"), """{"a":"1","b":"2","raw_string":"a=1&b=2"}""");

    [Fact]
    public async Task Cloud_event_data_is_the_args_and_the_envelope_is_metadata() =>
        await AssertArgsAsync(
            Send("application/cloudevents+json", """{"specversion":"1.0","type":"com.example.ping","source":"/here","id":"A1","data":{"appinfoA":"abc","n":123}}"""),
            """{"appinfoA":"abc","n":123,"WEBHOOK__METADATA__":{"specversion":"1.0","type":"com.example.ping","source":"/here","id":"A1"}}""");

    [Fact]
    public async Task Cloud_event_data_that_is_not_an_object_goes_to_body() =>
        await AssertArgsAsync(Send("application/cloudevents+json", """{"specversion":"1.0","id":"A2","data":1.5}"""),
            """{"body":1.5,"WEBHOOK__METADATA__":{"specversion":"1.0","id":"A2"}}""");

    [Fact]
    public async Task Cloud_event_without_data_has_a_null_body() =>
        await AssertArgsAsync(Send("application/cloudevents+json", """{"specversion":"1.0","id":"A3"}"""),
            """{"body":null,"WEBHOOK__METADATA__":{"specversion":"1.0","id":"A3"}}""");

    [Fact]
    public async Task Cloud_event_that_is_not_an_object_is_a_bad_request() =>
        await Wire.AssertAsync(await Client.SendAsync(Send("application/cloudevents+json", "[1]")), HttpStatusCode.BadRequest, Wire.Text,
            "Bad request: invalid cloudevents+json: expected a JSON object");

    [Fact]
    public async Task Cloud_event_batches_are_refused() =>
        await Wire.AssertAsync(await Client.SendAsync(Send("application/cloudevents-batch+json", "[]")), HttpStatusCode.BadRequest, Wire.Text,
            "Bad request: Cloud events batching is not supported yet");

    [Fact]
    public async Task Wrap_body_puts_the_object_under_body() =>
        await AssertArgsAsync(Send("application/json", """{"a":1}""", "?wrap_body=true"), """{"body":{"a":1}}""");

    [Fact]
    public async Task Wrap_body_does_not_wrap_a_value_twice() =>
        await AssertArgsAsync(Send("application/json", "[1]", "?wrap_body=true"), """{"body":[1]}""");

    [Fact]
    public async Task Raw_adds_the_exact_body_text() =>
        await AssertArgsAsync(Send("application/json", """{ "a" : 1 }""", "?raw=true"), """{"a":1,"raw_string":"{ \"a\" : 1 }"}""");

    [Fact]
    public async Task Raw_on_an_empty_body_is_an_empty_string() =>
        await AssertArgsAsync(Send(null, "", "?raw=true"), """{"raw_string":""}""");

    [Fact]
    public async Task Included_headers_and_query_params_become_string_args_that_win_over_the_body()
    {
        var request = Send("application/json", """{"x_request_id":"from body","keep":true}""",
            "?include_header=X-Request-Id,X-Missing&include_query=source,token,absent&source=github");
        request.Headers.Add("X-Request-Id", "r-42");

        await AssertArgsAsync(request, """{"x_request_id":"r-42","keep":true,"source":"github"}""");
    }

    [Fact]
    public async Task Credentials_never_become_args_whatever_include_header_and_include_query_ask_for()
    {
        // The client sends the admin token as Authorization: Bearer, and the query carries one too.
        var request = Send("application/json", """{"keep":true}""",
            $"?include_header=Authorization,COOKIE,proxy-authorization,X-Request-Id&include_query=token,TOKEN,source&source=github&token={SampleApp.AdminToken}");
        request.Headers.Add("Cookie", "token=cookie-secret; theme=dark");
        request.Headers.Add("Proxy-Authorization", "Basic cHJveHk6c2VjcmV0");
        request.Headers.Add("X-Request-Id", "r-42");

        await AssertArgsAsync(request, """{"keep":true,"x_request_id":"r-42","source":"github"}""");
    }

    [Fact]
    public async Task Unknown_content_type_is_415_with_an_empty_body()
    {
        using var response = await Client.SendAsync(Send("image/png", "x"));

        await Wire.AssertAsync(response, HttpStatusCode.UnsupportedMediaType, null, "");
        Assert.Equal(0, await App.CountJobsAsync());
    }

    [Fact]
    public async Task Multipart_is_refused_with_a_reason() =>
        await Wire.AssertAsync(await Client.SendAsync(Send("multipart/form-data; boundary=x", "--x--")), HttpStatusCode.BadRequest, Wire.Text,
            "Bad request: multipart/form-data needs workspace object storage, which this server does not have: send JSON or application/x-www-form-urlencoded");

    [Fact]
    public async Task Invalid_utf8_is_a_bad_request()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Echo) { Content = new ByteArrayContent([0x7b, 0xff, 0x7d]) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");

        await Wire.AssertAsync(await Client.SendAsync(request), HttpStatusCode.BadRequest, Wire.Text, "Bad request: invalid utf8");
    }

    [Fact]
    public async Task Body_over_the_limit_is_413_whether_or_not_its_length_is_announced()
    {
        var tooBig = new string('a', 2 * 1024 * 1024 + 1);
        using var announced = await Client.SendAsync(Send("text/plain", tooBig));
        using var streamed = new HttpRequestMessage(HttpMethod.Post, Echo) { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(tooBig))) };
        streamed.Headers.TransferEncodingChunked = true;
        streamed.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");

        const string body = "Payload too large: the body exceeds 2097152 bytes";
        await Wire.AssertAsync(announced, HttpStatusCode.RequestEntityTooLarge, Wire.Text, body);
        await Wire.AssertAsync(await Client.SendAsync(streamed), HttpStatusCode.RequestEntityTooLarge, Wire.Text, body);
        Assert.Equal(0, await App.CountJobsAsync());
    }

    [Theory]
    [InlineData("eyJuYW1lIjoiWm_DqyJ9")] // URL-safe, unpadded: {"name":"Zoë"}
    [InlineData("eyJuYW1lIjoiWm/DqyJ9")] // standard
    [InlineData("eyJuYW1lIjoiWm%2FDqyJ9")] // standard, URL-encoded as the UI does
    public async Task Get_payload_is_base64_json_in_either_alphabet(string payload) =>
        await Wire.AssertAsync(await Client.GetAsync($"{Echo}?payload={payload}"), HttpStatusCode.OK, Wire.Json, """{"name":"Zoë"}""");

    [Fact]
    public async Task Get_without_payload_has_no_args() =>
        await Wire.AssertAsync(await Client.GetAsync(Echo), HttpStatusCode.OK, Wire.Json, "{}");

    [Theory]
    [InlineData("!!!", "Bad request: Impossible to decode query payload: invalid base64")]
    [InlineData("WzFd", "Bad request: Impossible to decode query payload: the payload is not a JSON object")]
    public async Task Undecodable_payload_is_a_bad_request_not_a_server_error(string payload, string message) =>
        await Wire.AssertAsync(await Client.GetAsync($"{Echo}?payload={payload}"), HttpStatusCode.BadRequest, Wire.Text, message);

    [Fact]
    public async Task Async_run_stores_the_same_args()
    {
        using var response = await Client.SendAsync(Send("text/plain", "hi", path: SampleApp.Api + "/jobs/run/p/u/bot/echo"));
        var id = await Wire.AssertCreatedJobAsync(response);

        var job = await App.WaitForCompletionAsync(id);

        Assert.Equal("""{"raw_string":"hi"}""", job.Args.GetRawText());
    }

    private static HttpRequestMessage Send(string? contentType, string body, string query = "", string path = Echo)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path + query) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return request;
    }

    private async Task AssertArgsAsync(HttpRequestMessage request, string args)
    {
        using (request)
        {
            using var response = await Client.SendAsync(request);
            await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, args);
        }
    }
}
