using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// Turns a webhook request into job args as Windmill does (windmill-api.md §3): the body by its
/// content type, or the base64 <c>payload</c> of a GET, plus the <c>raw</c>, <c>wrap_body</c>,
/// <c>include_header</c> and <c>include_query</c> flags.
/// </summary>
internal static class WebhookArgs
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The args, or the error to answer with.</summary>
    internal readonly record struct Outcome(JsonElement Args, IResult? Error)
    {
        public static Outcome Fail(IResult error) => new(default, error);
    }

    public static async Task<Outcome> FromBodyAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return Outcome.Fail(TooLarge(maxBytes));
        }

        var body = await ReadAsync(request.Body, maxBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return Outcome.Fail(TooLarge(maxBytes));
        }

        var mediaType = MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.Value?.ToLowerInvariant() : null;
        if (request.ContentType is not null && mediaType is null)
        {
            return Outcome.Fail(TypedResults.StatusCode(StatusCodes.Status415UnsupportedMediaType));
        }

        JsonObject args;
        string? rawText;
        try
        {
            rawText = body.Length == 0 ? "" : StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return Outcome.Fail(WindmillErrors.BadRequest("invalid utf8"));
        }

        switch (mediaType)
        {
            case null when body.Length == 0:
                args = [];
                break;
            case null or "application/json":
                if (!TryParseJson(body, out var value, out var error))
                {
                    return Outcome.Fail(WindmillErrors.BadRequest("invalid json: " + error));
                }

                args = value as JsonObject ?? new JsonObject { ["body"] = value };
                break;
            case "text/plain" or "application/xml" or "text/xml":
                args = new JsonObject { ["raw_string"] = rawText };
                rawText = null; // already carried
                break;
            case "application/x-www-form-urlencoded":
                args = ParseForm(rawText);
                break;
            default:
                return Outcome.Fail(TypedResults.StatusCode(StatusCodes.Status415UnsupportedMediaType));
        }

        return new Outcome(Finish(args, request, rawText), null);
    }

    public static Outcome FromPayload(HttpRequest request)
    {
        var payload = request.Query["payload"].ToString();
        JsonObject args = [];
        if (payload.Length > 0)
        {
            if (!TryDecodeBase64(payload, out var bytes))
            {
                return Outcome.Fail(WindmillErrors.BadRequest("Impossible to decode query payload: invalid base64"));
            }

            if (!System.Text.Unicode.Utf8.IsValid(bytes))
            {
                return Outcome.Fail(WindmillErrors.BadRequest("Impossible to decode query payload: invalid utf8"));
            }

            if (!TryParseJson(bytes, out var value, out var error) || value is not JsonObject decoded)
            {
                return Outcome.Fail(WindmillErrors.BadRequest("Impossible to decode query payload: " + (error ?? "the payload is not a JSON object")));
            }

            args = decoded;
        }

        return new Outcome(Finish(args, request, rawText: null), null);
    }

    private static JsonElement Finish(JsonObject args, HttpRequest request, string? rawText)
    {
        var query = request.Query;
        if (IsTrue(query["wrap_body"]))
        {
            args = new JsonObject { ["body"] = args };
        }

        if (IsTrue(query["raw"]))
        {
            args["raw_string"] = rawText ?? "";
        }

        foreach (var header in List(query["include_header"]))
        {
            if (request.Headers.TryGetValue(header, out var value))
            {
                args[header.ToLowerInvariant().Replace('-', '_')] = value.ToString();
            }
        }

        foreach (var name in List(query["include_query"]))
        {
            // The token never becomes a job argument.
            if (!string.Equals(name, Authentication.WindmillTokenDefaults.QueryParameter, StringComparison.OrdinalIgnoreCase) && query.TryGetValue(name, out var value))
            {
                args[name] = value.ToString();
            }
        }

        return JsonSerializer.SerializeToElement(args, WindmillJsonContext.Wire.JsonObject);
    }

    // Each field becomes a string arg; a key without '=' becomes null, as in Windmill.
    private static JsonObject ParseForm(string text)
    {
        JsonObject fields = [];
        foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Decode(equals < 0 ? pair : pair[..equals]);
            fields[key] = equals < 0 ? null : Decode(pair[(equals + 1)..]);
        }

        return fields;

        static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
    }

    private static bool TryParseJson(byte[] utf8, out JsonNode? value, out string? error)
    {
        try
        {
            value = JsonNode.Parse(utf8);
            error = null;
            return true;
        }
        catch (JsonException e)
        {
            value = null;
            error = e.Message;
            return false;
        }
    }

    // Windmill decodes the standard alphabet today and the URL-safe one in older releases: accept both, padded or not.
    private static bool TryDecodeBase64(string text, out byte[] bytes)
    {
        var normalized = text.Trim().Replace('-', '+').Replace('_', '/').TrimEnd('=');
        normalized += new string('=', (4 - normalized.Length % 4) % 4);
        bytes = new byte[normalized.Length];
        if (Convert.TryFromBase64String(normalized, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }

        return false;
    }

    private static async Task<byte[]?> ReadAsync(Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            var read = await body.ReadAsync(buffer.GetMemory(8192), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes)
            {
                return null;
            }
        }
    }

    private static ContentHttpResult TooLarge(long maxBytes) =>
        WindmillErrors.Text(StatusCodes.Status413PayloadTooLarge, $"Payload too large: the body exceeds {maxBytes} bytes");

    private static bool IsTrue(string? value) => string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

    private static string[] List(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
