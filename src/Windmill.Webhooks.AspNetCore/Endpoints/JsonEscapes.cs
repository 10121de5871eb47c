using System.Globalization;
using System.Text.Json;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// Finds <c>\u</c> escapes that leave a lone UTF-16 surrogate, such as <c>{"a":"\ud800"}</c>. System.Text.Json parses such
/// JSON but throws when the string is read (or written back), so args holding one are refused up front, as Windmill's
/// serde_json refuses them.
/// </summary>
internal static class JsonEscapes
{
    /// <summary>The byte offset of the first string or name in <paramref name="json"/> (valid JSON) holding a lone surrogate, or -1.</summary>
    public static long FindLoneSurrogate(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped && HasLoneSurrogate(reader.ValueSpan))
            {
                return reader.TokenStartIndex;
            }
        }

        return -1;
    }

    // The raw text of one string; being valid JSON, every escape in it is complete.
    private static bool HasLoneSurrogate(ReadOnlySpan<byte> raw)
    {
        var expectLow = false;
        var i = 0;
        while (i < raw.Length)
        {
            if (raw[i] == '\\' && raw[i + 1] == 'u')
            {
                var unit = (char)int.Parse(raw.Slice(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                i += 6;
                if (char.IsLowSurrogate(unit) != expectLow)
                {
                    return true;
                }

                expectLow = char.IsHighSurrogate(unit);
                continue;
            }

            if (expectLow)
            {
                return true;
            }

            i += raw[i] == '\\' ? 2 : 1;
        }

        return expectLow;
    }
}
