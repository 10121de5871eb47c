using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Windmill.Webhooks.ClientCompatibility.Tests;

/// <summary>
/// What the client cannot send, over real HTTP to the running sample: the curl calls of Windmill's docs
/// (token in the header and in the query), every body type, HEAD, and GET payloads in both base64 alphabets.
/// </summary>
[Collection(RunningSample.Name)]
public sealed class RawHttpTests(CompatibilityFixture fixture) : IDisposable
{
    private const string Text = "text/plain; charset=utf-8";
    private readonly HttpClient _http = new();

    private string Jobs => fixture.Origin + "/api/w/demo/jobs";

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Docs_curl_with_the_token_in_the_query()
    {
        // curl -X POST ".../run_wait_result/p/u/bot/hello_world?token=$TOKEN" -H 'Content-Type: application/json' -d '{}'
        using var response = await _http.PostAsync($"{Jobs}/run_wait_result/p/u/bot/hello_world?token={SampleProcess.AdminToken}", Json("{}"));

        await AssertAsync(response, HttpStatusCode.OK, "application/json", "\"Hello, world!\"");
    }

    [Fact]
    public async Task Docs_curl_with_the_bearer_header_answers_the_bare_job_id()
    {
        // curl -X POST .../run/p/u/bot/hello_world -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"name": "Ada"}'
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Jobs}/run/p/u/bot/hello_world") { Content = Json("""{"name": "Ada"}""") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SampleProcess.AdminToken);

        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal((HttpStatusCode.Created, Text), (response.StatusCode, response.Content.Headers.ContentType?.ToString()));
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", body);
    }

    [Fact]
    public async Task No_token_is_401() =>
        await AssertAsync(await _http.PostAsync($"{Jobs}/run/p/u/bot/echo", Json("{}")), HttpStatusCode.Unauthorized, Text, "Not authorized: Unauthorized");

    [Theory]
    [InlineData("application/json", """{"a":[1,{"b":null}]}""", """{"a":[1,{"b":null}]}""")]
    [InlineData("application/json", "[1,2]", """{"body":[1,2]}""")]
    [InlineData("text/plain", "plain text", """{"raw_string":"plain text"}""")]
    [InlineData("application/xml", "<a>1</a>", """{"raw_string":"<a>1</a>"}""")]
    [InlineData("text/xml", "<b/>", """{"raw_string":"<b/>"}""")]
    [InlineData("application/x-www-form-urlencoded", "name=Ada&lang=fr+en", """{"name":"Ada","lang":"fr en"}""")]
    [InlineData("application/cloudevents+json", """{"specversion":"1.0","id":"e1","source":"/s","type":"t","data":{"n":1}}""",
        """{"n":1,"WEBHOOK__METADATA__":{"specversion":"1.0","id":"e1","source":"/s","type":"t"}}""")]
    [InlineData(null, "", "{}")]
    public async Task Every_body_type_reaches_the_script_as_windmill_shapes_it(string? contentType, string body, string args)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        await AssertAsync(await _http.PostAsync($"{Jobs}/run_wait_result/p/u/bot/echo?token={SampleProcess.AdminToken}", content),
            HttpStatusCode.OK, "application/json", args);
    }

    [Fact]
    public async Task Unsupported_body_type_is_415()
    {
        using var content = new ByteArrayContent([1, 2, 3]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        using var response = await _http.PostAsync($"{Jobs}/run/p/u/bot/echo?token={SampleProcess.AdminToken}", content);

        Assert.Equal((HttpStatusCode.UnsupportedMediaType, ""), (response.StatusCode, await response.Content.ReadAsStringAsync()));
    }

    [Theory]
    [InlineData("run/p/u/bot/echo")]
    [InlineData("run_wait_result/p/u/bot/echo")]
    [InlineData("run/h/0123456789abcdef")]
    [InlineData("run_wait_result/h/0123456789abcdef")]
    public async Task Head_on_a_run_route_is_200_and_empty(string route)
    {
        using var response = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"{Jobs}/{route}"));

        Assert.Equal((HttpStatusCode.OK, 0), (response.StatusCode, (await response.Content.ReadAsByteArrayAsync()).Length));
    }

    [Theory]
    [InlineData("eyJuYW1lIjoiWm/DqyJ9")] // standard alphabet, as the UI's btoa gives: {"name":"Zoë"}
    [InlineData("eyJuYW1lIjoiWm_DqyJ9")] // URL-safe alphabet, as older servers expected
    public async Task Get_with_a_base64_payload_in_either_alphabet(string payload) =>
        await AssertAsync(await _http.GetAsync($"{Jobs}/run_wait_result/p/u/bot/hello_world?payload={Uri.EscapeDataString(payload)}&token={SampleProcess.AdminToken}"),
            HttpStatusCode.OK, "application/json", "\"Hello, Zoë!\"");

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task AssertAsync(HttpResponseMessage response, HttpStatusCode status, string contentType, string body)
    {
        using (response)
        {
            Assert.Equal((status, contentType, body), (response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsStringAsync()));
        }
    }
}
