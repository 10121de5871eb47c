using Microsoft.AspNetCore.Http;
using Windmill.Webhooks.Reliability.Tests.Infrastructure;

namespace Windmill.Webhooks.Reliability.Tests.Fuzz;

/// <summary>
/// One generated bad request, given to the app exactly as built: the target is not canonicalized (so <c>..</c>,
/// <c>%2e</c> and <c>%00</c> reach the routes as written), headers are not validated, and the body may come without a length.
/// </summary>
internal sealed record FuzzRequest(string Kind, string Method, string Target)
{
    public const string AdminBearer = "Bearer " + ReliabilityApp.AdminToken;

    public byte[]? Body { get; init; }

    /// <summary>The Content-Type header as sent, unparsed; <see langword="null"/> for none.</summary>
    public string? ContentType { get; init; }

    /// <summary>Sends the body chunked, with no Content-Length.</summary>
    public bool Chunked { get; init; }

    /// <summary>The Authorization header values; none when empty.</summary>
    public IReadOnlyList<string> Authorization { get; init; } = [AdminBearer];

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>A read route given an odd but possibly acceptable value: a 2xx is a right answer too (it writes nothing either way).</summary>
    public bool MayBeAccepted { get; init; }

    /// <summary>
    /// Writes the request into the test server's context as a server hands it to the app: the path percent-decoded
    /// (but <c>%2F</c>) with its dot segments kept, the query string and headers exactly as written.
    /// </summary>
    public void Apply(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        request.Method = Method;
        var query = Target.IndexOf('?', StringComparison.Ordinal);
        request.Path = DecodePath(query < 0 ? Target : Target[..query]);
        request.QueryString = query < 0 ? QueryString.Empty : new QueryString(Target[query..]);
        if (Body is not null)
        {
            request.Body = new MemoryStream(Body, writable: false);
            request.ContentLength = Chunked ? null : Body.Length;
        }

        if (ContentType is not null)
        {
            request.ContentType = ContentType;
        }

        foreach (var value in Authorization)
        {
            request.Headers.Append("Authorization", value);
        }

        foreach (var (name, value) in Headers)
        {
            request.Headers.Append(name, value);
        }
    }

    // Kestrel refuses a %00 in the path itself (400 before the app); here the NUL reaches the routes, a harder case.
    private static PathString DecodePath(string rawPath)
    {
        try
        {
            return PathString.FromUriComponent(rawPath);
        }
        catch (InvalidOperationException)
        {
            return new PathString(Uri.UnescapeDataString(rawPath));
        }
    }

    public override string ToString() =>
        $"{Kind}: {Method} {Shorten(Target)} ct={ContentType ?? "(none)"} auth={Shorten(string.Join(" | ", Authorization))} body={Body?.Length ?? 0}B{(Chunked ? " chunked" : "")} headers={Headers.Count}";

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + $"…({text.Length})";
}
