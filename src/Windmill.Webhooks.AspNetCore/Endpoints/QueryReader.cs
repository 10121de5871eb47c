using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// Reads typed query parameters the way Windmill's <c>Query&lt;T&gt;</c> extractor does: a value that does
/// not parse, or a parameter given twice, is a 400 <c>Failed to deserialize query string: …</c>.
/// </summary>
internal sealed class QueryReader(IQueryCollection query)
{
    private string? _error;

    /// <summary>The answer for the first malformed parameter, or <see langword="null"/>.</summary>
    public IResult? Failure => _error is null ? null : WindmillErrors.Text(StatusCodes.Status400BadRequest, "Failed to deserialize query string: " + _error);

    public string? String(string name)
    {
        if (!query.TryGetValue(name, out var values) || values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            _error ??= $"duplicate field `{name}`";
            return null;
        }

        return values[0];
    }

    public bool? Bool(string name) => String(name) switch
    {
        null => null,
        var text when text.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
        var text when text.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
        var text => Fail<bool>($"{name}: provided string was not `true` or `false`: {Quote(text)}"),
    };

    public long? Int64(string name) => String(name) switch
    {
        null => null,
        var text when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) => value,
        var text => Fail<long>($"{name}: invalid digit found in string: {Quote(text)}"),
    };

    public int? Int32(string name) => Int64(name) switch
    {
        null => null,
        var value when value is >= int.MinValue and <= int.MaxValue => (int)value.Value,
        _ => Fail<int>($"{name}: number too large to fit in target type"),
    };

    public Guid? Uuid(string name) => String(name) switch
    {
        null => null,
        var text when Guid.TryParseExact(text, "D", out var value) || Guid.TryParseExact(text, "N", out value) => value,
        var text => Fail<Guid>($"{name}: UUID parsing failed: {Quote(text)} is not a UUID"),
    };

    /// <summary>An RFC 3339 instant, such as <c>2025-01-31T10:00:00Z</c>; an offset is required (see <see cref="Rfc3339"/>).</summary>
    public DateTimeOffset? Instant(string name) => String(name) switch
    {
        null => null,
        var text when Rfc3339.TryParse(text, out var value) => value,
        var text => Fail<DateTimeOffset>($"{name}: {Rfc3339.InvalidMessage}: {Quote(text)}"),
    };

    /// <summary>A comma-separated list; absent means empty.</summary>
    public string[] List(string name) =>
        (String(name) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public T? Fail<T>(string message)
        where T : struct
    {
        _error ??= message;
        return null;
    }

    private static string Quote(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
