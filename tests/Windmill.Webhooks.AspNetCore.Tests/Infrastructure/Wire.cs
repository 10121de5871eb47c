using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

/// <summary>Assertions on Windmill's wire format: status, exact Content-Type header, exact body.</summary>
internal static class Wire
{
    public const string Text = "text/plain; charset=utf-8";
    public const string Json = "application/json";
    public const string Unauthorized = "Not authorized: Unauthorized";

    public static async Task AssertAsync(HttpResponseMessage response, HttpStatusCode status, string? contentType, string body)
    {
        var actual = await response.Content.ReadAsStringAsync();
        Assert.Equal((status, contentType, body), (response.StatusCode, ContentType(response), actual));
    }

    public static Task AssertUnauthorizedAsync(HttpResponseMessage response) =>
        AssertAsync(response, HttpStatusCode.Unauthorized, Text, Unauthorized);

    /// <summary>The Content-Type header exactly as sent, not re-formatted by a parser.</summary>
    public static string? ContentType(HttpResponseMessage response) =>
        response.Content.Headers.NonValidated.TryGetValues("Content-Type", out var values) ? values.ToString() : null;

    /// <summary>A JSON body sent as Windmill's client and curl snippets send it: <c>Content-Type: application/json</c>.</summary>
    public static StringContent JsonBody(string json)
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>A 201 run answer's body: the new job's id, parsed from bare hyphenated lowercase UUID text.</summary>
    public static async Task<Guid> AssertCreatedJobAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal((HttpStatusCode.Created, Text), (response.StatusCode, ContentType(response)));
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", body);
        return Guid.Parse(body);
    }
}
