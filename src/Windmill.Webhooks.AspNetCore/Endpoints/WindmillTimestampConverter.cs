using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// Writes instants as Windmill does: RFC 3339 in UTC with a <c>Z</c> and microseconds. Reads only RFC 3339 strings
/// (see <see cref="Rfc3339"/>); anything else is a <see cref="JsonException"/>, which the routes answer with 400.
/// </summary>
internal sealed class WindmillTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && Rfc3339.TryParse(reader.GetString(), out var instant)
            ? instant
            : throw new JsonException(Rfc3339.InvalidMessage);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));

    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
