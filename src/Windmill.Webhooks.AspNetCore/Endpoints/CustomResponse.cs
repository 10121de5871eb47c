using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// A synchronous result that shapes its own HTTP response (docs/wire-format.md §3.5): an object with
/// <c>windmill_status_code</c>, <c>windmill_content_type</c>, <c>windmill_headers</c> or
/// <c>windmill_content_transfer_encoding</c> (or their <c>wm_</c> aliases), whose <c>result</c> is the body.
/// </summary>
/// <remarks>
/// As in Windmill, an object whose keys have the wrong types is not a custom response and is returned
/// whole as JSON; a custom response whose values cannot be sent is a 500 with Windmill's message.
/// Unlike Windmill, unless the host sets <see cref="WindmillWebhooksOptions.AllowActiveCustomResponses"/>, active
/// content is served as inert text and headers that set the origin's state or policy are dropped: a script that
/// reflects its input (the sample's <c>echo</c>) must not let a link serve pages or cookies from the host's origin.
/// Every custom response carries <c>X-Content-Type-Options: nosniff</c>.
/// </remarks>
internal sealed partial class CustomResponse
{
    private const string InertContentType = "text/plain; charset=utf-8";

    // The server frames the response itself; a script must not set these.
    private static readonly HashSet<string> FramingHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer", "proxy-connection",
    };

    // They set cookies or storage, or security policy that the host decides for its whole origin (with Access-Control-*).
    private static readonly HashSet<string> OriginPolicyHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "set-cookie", "set-cookie2", "clear-site-data", "strict-transport-security", "content-security-policy",
        "content-security-policy-report-only", "x-content-type-options", "x-frame-options", "cross-origin-opener-policy",
        "cross-origin-embedder-policy", "cross-origin-resource-policy", "permissions-policy", "service-worker-allowed", "origin-agent-cluster",
    };

    private ushort? _statusCode;
    private string? _contentType;
    private List<KeyValuePair<string, string>>? _headers;
    private string? _transferEncoding;
    private JsonElement? _result;

    private CustomResponse()
    {
    }

    /// <summary>Reads <paramref name="result"/> as a custom response, or <see langword="null"/> when it is none.</summary>
    public static CustomResponse? TryRead(JsonElement result)
    {
        if (result.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var response = new CustomResponse();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in result.EnumerateObject())
        {
            var field = property.Name.StartsWith("wm_", StringComparison.Ordinal) ? "windmill_" + property.Name[3..] : property.Name;
            if (field is not ("windmill_status_code" or "windmill_content_type" or "windmill_headers" or "windmill_content_transfer_encoding" or "result"))
            {
                continue;
            }

            // A field given twice (or with its alias) or of the wrong type makes the whole object a plain result.
            if (!seen.Add(field) || !response.TrySet(field, property.Value))
            {
                return null;
            }
        }

        return response is { _statusCode: null, _contentType: null, _headers: null, _transferEncoding: null } ? null : response;
    }

    /// <summary>
    /// The response, or Windmill's 500 for a value that cannot be sent. Without <paramref name="allowActiveContent"/>,
    /// an active content type is served as <c>text/plain</c> and the origin's state and policy headers are dropped.
    /// </summary>
    public IResult ToResult(bool succeeded, bool allowActiveContent)
    {
        if (_statusCode is { } code && code is < 200 or > 999)
        {
            return WindmillErrors.ExecutionError("Invalid status code");
        }

        var status = _statusCode ?? (!succeeded ? StatusCodes.Status422UnprocessableEntity
            : _result is null ? StatusCodes.Status204NoContent : StatusCodes.Status200OK);
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in _headers ?? [])
        {
            if (!IsToken(name) || FramingHeaders.Contains(name))
            {
                return WindmillErrors.ExecutionError($"Internal: Invalid header name {name}: invalid HTTP header name");
            }

            if (!IsHeaderValue(value))
            {
                return WindmillErrors.ExecutionError($"Internal: Invalid header value {value}: failed to parse header value");
            }

            headers.Add(new(name.ToLowerInvariant(), value));
        }

        if (_contentType is null)
        {
            if (_transferEncoding is not null)
            {
                return WindmillErrors.ExecutionError("windmill_content_transfer_encoding requires windmill_content_type to be set");
            }

            // A Content-Type among the script's headers wins over the JSON default, as in Windmill.
            var jsonType = headers.Any(h => h.Key == "content-type") ? null : SyncResponse.JsonContentType;
            return _result is { } json
                ? Serve(jsonType, Encoding.UTF8.GetBytes(json.GetRawText()))
                : Serve(null, []);
        }

        if (!IsHeaderValue(_contentType))
        {
            return WindmillErrors.ExecutionError($"Internal: Invalid content type {_contentType}: failed to parse header value");
        }

        // A JSON string is sent as its text, anything else as its JSON.
        var isString = _result is { ValueKind: JsonValueKind.String };
        var text = isString ? _result!.Value.GetString()! : _result?.GetRawText() ?? "";
        switch (_transferEncoding)
        {
            case null:
                return Serve(_contentType, Encoding.UTF8.GetBytes(text));
            case "base64" when !isString:
                return WindmillErrors.ExecutionError("windmill_content_transfer_encoding \"base64\" requires result to be a base64-encoded string");
            case "base64":
                try
                {
                    return Serve(_contentType, Convert.FromBase64String(text));
                }
                catch (FormatException e)
                {
                    return WindmillErrors.ExecutionError($"windmill_content_transfer_encoding is \"base64\" but the result is not valid base64: {e.Message}");
                }

            default:
                return WindmillErrors.ExecutionError($"Unsupported windmill_content_transfer_encoding \"{_transferEncoding}\" (only \"base64\" is supported)");
        }

        // What is refused is still served, as inert text with the status asked for: the job succeeded, and its caller
        // (often a program) still gets the bytes; only a browser no longer renders or runs them on the host's origin.
        // A 4xx would blame the request for the script's output, and the README promises no 5xx for a request's input.
        IResult Serve(string? contentType, byte[] body)
        {
            if (allowActiveContent)
            {
                return new Written(status, headers, contentType, body, refused: []);
            }

            var refused = headers.Where(h => IsOriginPolicyHeader(h.Key)).Select(h => h.Key).ToList();
            var kept = headers.Where(h => !IsOriginPolicyHeader(h.Key)).ToList();
            if ((contentType ?? kept.LastOrDefault(h => h.Key == "content-type").Value) is { } served && IsActiveContentType(served))
            {
                refused.Add("Content-Type: " + served);
                kept.RemoveAll(h => h.Key == "content-type");
                contentType = InertContentType;
            }

            return new Written(status, kept, contentType, body, refused);
        }
    }

    private static bool IsOriginPolicyHeader(string name) =>
        OriginPolicyHeaders.Contains(name) || name.StartsWith("access-control-", StringComparison.OrdinalIgnoreCase);

    // What a browser renders as a document or runs on the host's origin: HTML, XML (which may hold XHTML scripts or
    // XSLT) and SVG, JavaScript, WebAssembly and CSS, multipart (rendered part by part), and whatever invites sniffing.
    private static bool IsActiveContentType(string contentType)
    {
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var parsed) || parsed.MediaType.Value is not { } mediaType)
        {
            return true;
        }

        var type = mediaType.ToLowerInvariant();
        return type is "text/html" or "text/xml" or "application/xml" or "text/xsl" or "text/css" or "application/wasm" or "text/jscript"
                or "text/livescript" or "unknown/unknown" or "application/unknown"
            || type.EndsWith("+xml", StringComparison.Ordinal)
            || type.StartsWith("multipart/", StringComparison.Ordinal)
            || type.Contains("javascript", StringComparison.Ordinal)
            || type.Contains("ecmascript", StringComparison.Ordinal)
            || type.Contains('*', StringComparison.Ordinal);
    }

    private bool TrySet(string field, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return true; // null is the same as absent
        }

        switch (field)
        {
            case "windmill_status_code" when value.ValueKind == JsonValueKind.Number && value.TryGetUInt16(out var code):
                _statusCode = code;
                return true;
            case "windmill_content_type" when value.ValueKind == JsonValueKind.String:
                _contentType = value.GetString();
                return true;
            case "windmill_content_transfer_encoding" when value.ValueKind == JsonValueKind.String:
                _transferEncoding = value.GetString();
                return true;
            case "windmill_headers" when value.ValueKind == JsonValueKind.Object
                && value.EnumerateObject().All(header => header.Value.ValueKind == JsonValueKind.String):
                _headers = value.EnumerateObject().Select(header => new KeyValuePair<string, string>(header.Name, header.Value.GetString()!)).ToList();
                return true;
            case "result":
                _result = value.Clone();
                return true;
            default:
                return false;
        }
    }

    // RFC 9110 token characters.
    private static bool IsToken(string name) =>
        name.Length > 0 && name.All(c => c < 128 && (char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)));

    // Visible ASCII, spaces and tabs, as Windmill's HTTP library accepts.
    private static bool IsHeaderValue(string value) => value.All(c => c == '\t' || c is >= ' ' and <= '~');

    /// <summary>Writes the custom status, headers and body, and logs what was refused.</summary>
    private sealed class Written(int status, List<KeyValuePair<string, string>> headers, string? contentType, byte[] body, List<string> refused)
        : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            if (refused.Count > 0 && httpContext.RequestServices.GetService<ILogger<CustomResponse>>() is { } logger)
            {
                Log.Refused(logger, string.Join(", ", refused));
            }

            var response = httpContext.Response;
            response.StatusCode = status;
            response.Headers.XContentTypeOptions = "nosniff";
            foreach (var (name, value) in headers)
            {
                response.Headers[name] = value;
            }

            if (contentType is not null)
            {
                response.ContentType = contentType;
            }

            // These statuses cannot carry a body; Windmill's server drops it too.
            if (status is StatusCodes.Status204NoContent or StatusCodes.Status205ResetContent or StatusCodes.Status304NotModified || body.Length == 0)
            {
                return;
            }

            response.ContentLength = body.Length;
            await response.Body.WriteAsync(body, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
