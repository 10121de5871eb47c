using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// A synchronous result that shapes its own HTTP response (windmill-api.md §3.5): an object with
/// <c>windmill_status_code</c>, <c>windmill_content_type</c>, <c>windmill_headers</c> or
/// <c>windmill_content_transfer_encoding</c> (or their <c>wm_</c> aliases), whose <c>result</c> is the body.
/// </summary>
/// <remarks>
/// As in Windmill, an object whose keys have the wrong types is not a custom response and is returned
/// whole as JSON; a custom response whose values cannot be sent is a 500 with Windmill's message.
/// </remarks>
internal sealed class CustomResponse
{
    // The server frames the response itself; a script must not set these.
    private static readonly HashSet<string> FramingHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer", "proxy-connection",
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

    /// <summary>The response, or Windmill's 500 for a value that cannot be sent.</summary>
    public IResult ToResult(bool succeeded)
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
                ? new Written(status, headers, jsonType, Encoding.UTF8.GetBytes(json.GetRawText()))
                : new Written(status, headers, null, []);
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
                return new Written(status, headers, _contentType, Encoding.UTF8.GetBytes(text));
            case "base64" when !isString:
                return WindmillErrors.ExecutionError("windmill_content_transfer_encoding \"base64\" requires result to be a base64-encoded string");
            case "base64":
                try
                {
                    return new Written(status, headers, _contentType, Convert.FromBase64String(text));
                }
                catch (FormatException e)
                {
                    return WindmillErrors.ExecutionError($"windmill_content_transfer_encoding is \"base64\" but the result is not valid base64: {e.Message}");
                }

            default:
                return WindmillErrors.ExecutionError($"Unsupported windmill_content_transfer_encoding \"{_transferEncoding}\" (only \"base64\" is supported)");
        }
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

    /// <summary>Writes the custom status, headers and body.</summary>
    private sealed class Written(int status, List<KeyValuePair<string, string>> headers, string? contentType, byte[] body) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
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
