using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// Turns a webhook request into job args as Windmill does (docs/wire-format.md §3): the body by its
/// content type, or the base64 <c>payload</c> of a GET, plus the <c>raw</c>, <c>wrap_body</c>,
/// <c>include_header</c> and <c>include_query</c> flags.
/// </summary>
/// <remarks>
/// Like Windmill, the args are a map of top-level names to raw JSON values: nested values are kept
/// exactly as sent, and a repeated top-level name keeps its last value.
/// </remarks>
internal static class WebhookArgs
{
    private const string CloudEventsMetadata = "WEBHOOK__METADATA__";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The args and the body bytes they came from, or the error to answer with.</summary>
    internal readonly record struct Outcome(JsonElement Args, byte[] Body, IResult? Error)
    {
        public static Outcome Fail(IResult error) => new(default, [], error);
    }

    public static async Task<Outcome> FromBodyAsync(HttpRequest request, RunFlags flags, long maxBytes, CancellationToken cancellationToken)
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

        // Dispatch on the media type alone, so parameters such as a charset do not matter. Windmill matches the
        // header's start, which also lets "application/jsonx" through; an exact media type refuses such junk with 415.
        string? contentType = null;
        if (request.ContentType is { } header)
        {
            if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(header, out var parsed) || parsed.MediaType.Value is not { } mediaType)
            {
                return Outcome.Fail(TypedResults.StatusCode(StatusCodes.Status415UnsupportedMediaType));
            }

            contentType = mediaType.ToLowerInvariant();
        }

        if (contentType is null && body.Length == 0)
        {
            return Finish([], body, request, flags, flags.Raw ? "" : null);
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return Outcome.Fail(WindmillErrors.BadRequest("invalid utf8"));
        }

        var raw = flags.Raw ? text : null;
        return contentType switch
        {
            null => FromJson(body, request, flags, raw),
            "application/json" => FromJson(body, request, flags, raw),
            "application/cloudevents+json" => FromCloudEvent(body, request, flags, raw),
            "application/cloudevents-batch+json" => Outcome.Fail(WindmillErrors.BadRequest("Cloud events batching is not supported yet")),
            "text/plain" or "application/xml" or "text/xml" => Finish([], body, request, flags, text),
            "application/x-www-form-urlencoded" => Finish(ParseForm(text), body, request, flags, raw),
            "multipart/form-data" => Outcome.Fail(WindmillErrors.BadRequest(
                "multipart/form-data needs workspace object storage, which this server does not have: send JSON or application/x-www-form-urlencoded")),
            _ => Outcome.Fail(TypedResults.StatusCode(StatusCodes.Status415UnsupportedMediaType)),
        };
    }

    public static Outcome FromPayload(HttpRequest request, RunFlags flags)
    {
        var payload = request.Query["payload"].ToString();
        if (payload.Length == 0)
        {
            return Finish([], [], request, flags, null);
        }

        // Windmill answers 500 here; an undecodable payload is the caller's mistake, so 400.
        if (!TryDecodeBase64(payload, out var bytes))
        {
            return Outcome.Fail(WindmillErrors.BadRequest("Impossible to decode query payload: invalid base64"));
        }

        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return Outcome.Fail(WindmillErrors.BadRequest("Impossible to decode query payload: invalid utf8"));
        }

        if (!TryParse(bytes, out var document, out var error))
        {
            return Outcome.Fail(WindmillErrors.BadRequest("Impossible to decode query payload: invalid json: " + error));
        }

        using (document)
        {
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? Finish(Fields(document.RootElement), [], request, flags, null)
                : Outcome.Fail(WindmillErrors.BadRequest("Impossible to decode query payload: the payload is not a JSON object"));
        }
    }

    // A JSON object is the args; any other JSON value becomes {"body": value}.
    private static Outcome FromJson(byte[] body, HttpRequest request, RunFlags flags, string? raw)
    {
        if (!TryParse(body, out var document, out var error))
        {
            return Outcome.Fail(WindmillErrors.BadRequest("invalid json: " + error));
        }

        using (document)
        {
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                ? Finish(Fields(root), body, request, flags, raw)
                : Finish(new() { ["body"] = root.Clone() }, body, request, flags, raw, alreadyWrapped: true);
        }
    }

    // A CloudEvent's data is the args, and the rest of its envelope goes along as WEBHOOK__METADATA__.
    private static Outcome FromCloudEvent(byte[] body, HttpRequest request, RunFlags flags, string? raw)
    {
        if (!TryParse(body, out var document, out var error) || document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document?.Dispose();
            return Outcome.Fail(WindmillErrors.BadRequest("invalid cloudevents+json: " + (error ?? "expected a JSON object")));
        }

        using (document)
        {
            var envelope = Fields(document.RootElement);
            var data = envelope.Remove("data", out var value) ? value : Null();
            var args = data.ValueKind == JsonValueKind.Object ? Fields(data) : new() { ["body"] = data };
            args[CloudEventsMetadata] = ToElement(envelope);
            return Finish(args, body, request, flags, raw);
        }
    }

    private static Outcome Finish(OrderedDictionary<string, JsonElement> args, byte[] body, HttpRequest request, RunFlags flags, string? raw,
        bool alreadyWrapped = false)
    {
        if (flags.WrapBody && !alreadyWrapped)
        {
            args = new() { ["body"] = ToElement(args) };
        }

        // The extra args win over body fields of the same name.
        foreach (var header in flags.IncludeHeaders)
        {
            if (request.Headers.TryGetValue(header, out var value))
            {
                args[header.ToLowerInvariant().Replace('-', '_')] = String(value.ToString());
            }
        }

        // Credentials were taken out of the flags already (RunFlags.WithoutCredentials).
        foreach (var name in flags.IncludeQuery)
        {
            if (request.Query.TryGetValue(name, out var value))
            {
                args[name] = String(value.ToString());
            }
        }

        if (raw is not null)
        {
            args["raw_string"] = String(raw);
        }

        return new Outcome(ToElement(args), body, null);
    }

    // Each field becomes a string arg (a key without '=' an empty string); a repeated key keeps its last value.
    private static OrderedDictionary<string, JsonElement> ParseForm(string text)
    {
        OrderedDictionary<string, JsonElement> fields = [];
        foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            fields[Decode(equals < 0 ? pair : pair[..equals])] = String(equals < 0 ? "" : Decode(pair[(equals + 1)..]));
        }

        return fields;

        static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
    }

    private static OrderedDictionary<string, JsonElement> Fields(JsonElement json)
    {
        OrderedDictionary<string, JsonElement> fields = [];
        foreach (var property in json.EnumerateObject())
        {
            fields[property.Name] = property.Value.Clone();
        }

        return fields;
    }

    private static JsonElement ToElement(OrderedDictionary<string, JsonElement> fields)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in fields)
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return JsonElement.Parse(buffer.WrittenSpan);
    }

    private static JsonElement String(string value) => JsonSerializer.SerializeToElement(value, WindmillJsonContext.Wire.String);

    private static JsonElement Null() => JsonElement.Parse("null"u8);

    private static bool TryParse(byte[] utf8, out JsonDocument document, out string? error)
    {
        try
        {
            document = JsonDocument.Parse(utf8);
            error = null;
        }
        catch (JsonException e)
        {
            document = null!;
            error = e.Message;
            return false;
        }

        if (JsonEscapes.FindLoneSurrogate(utf8) is var at and >= 0)
        {
            document.Dispose();
            document = null!;
            error = string.Create(CultureInfo.InvariantCulture, $"lone surrogate in hex escape in the string at byte {at}");
            return false;
        }

        return true;
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
}
