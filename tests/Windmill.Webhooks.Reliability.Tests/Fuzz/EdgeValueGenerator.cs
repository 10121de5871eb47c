using System.Globalization;
using System.Numerics;
using System.Text;

namespace Windmill.Webhooks.Reliability.Tests.Fuzz;

/// <summary>A generated value and whether it was built well-formed and in range for its field's type (an edge, not an error).</summary>
internal readonly record struct EdgeValue(string Text, bool WellTyped);

/// <summary>
/// Generates, from one <see cref="Random"/>, the three classes of bad input that once answered 500 (issue 9): invalid
/// Unicode (lone surrogates as JSON escapes, bytes that are not UTF-8, overlong forms), numbers that a field's integer type
/// cannot hold or only barely holds, and instants that are malformed, impossible or outside what a date can hold.
/// </summary>
internal sealed class EdgeValueGenerator(Random random)
{
    private static readonly string[] NotNumbers =
    [
        "NaN", "Infinity", "-Infinity", "1_000", "1,000", "true", "null", "0x1F", "&H1F", "0b101", " 1", "1 ", "+-1", "--1", "1-", "+", "-", "",
        "١٢٣", "１２", "²", "1\u00a0000", "½",
    ];

    private static readonly string[] MalformedInstants =
    [
        "garbage", "", " ", "T", "Z", "2026-01-01", "2026-01-01T00:00:00", "20260101T000000Z", "2026-W01-1T00:00:00Z", "2026-001T00:00:00Z",
        "2026/01/01 00:00:00Z", "2026-01-01T00:00Z", "2026-1-1T0:0:0Z", "1767225600", "1e10", "-1", "NaN", "now", "2026-01-01T00:00:00.Z",
        "2026-01-01T00:00:00+25:00", "2026-01-01T00:00:00+14:60", "2026-01-01T00:00:00+1400", "2026-01-01T00:00:00+99:99",
        "2026-01-01T00:00:00Zulu", "2026-01-01T00:00:00 UTC", "2026-01-01T00:00:00GMT", "２０２６-01-01T00:00:00Z", "2026-01-01T00:00:00ZZ",
        "2026-02-29T00:00:00Z", "2100-02-29T00:00:00Z",
    ];

    private static readonly string[] ExtendedYears =
    [
        "+275760-09-13T00:00:00Z", "-271821-04-20T00:00:00Z", "+010000-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "0000-01-01T00:00:00Z",
        "-0001-12-31T23:59:59Z", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59.9999999-00:01",
        "99999999999999999999-01-01T00:00:00Z",
    ];

    private static readonly string[] EdgeInstants =
    [
        "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59.9999999Z", "1970-01-01T00:00:00Z",
        "2024-02-29T00:00:00Z", "2026-01-01T00:00:00.1234567+14:00", "2026-01-01T00:00:00-14:00",
    ];

    /// <summary>JSON string content (what goes between the quotes) holding at least one lone surrogate escape.</summary>
    public string LoneSurrogateEscapes()
    {
        var high = 0xD800 + random.Next(0x400);
        var low = 0xDC00 + random.Next(0x400);
        var bad = random.Next(6) switch
        {
            0 => Escape(high),
            1 => Escape(low),
            2 => Escape(low) + Escape(high), // a pair in the wrong order
            3 => Escape(high) + Escape(high),
            4 => Escape(high) + "x",
            _ => Escape(high) + "\\n",
        };
        return Word() + bad + Word();
    }

    /// <summary>A few bytes that are not UTF-8: an encoded surrogate, an overlong form, a code point past U+10FFFF, a stray or missing continuation.</summary>
    public byte[] InvalidUtf8() => random.Next(8) switch
    {
        0 => [0xED, (byte)(0xA0 + random.Next(0x20)), Continuation()], // U+D800..U+DFFF encoded
        1 => [(byte)(0xC0 + random.Next(2)), Continuation()], // overlong 2-byte
        2 => [0xE0, (byte)(0x80 + random.Next(0x20)), Continuation()], // overlong 3-byte
        3 => [0xF0, (byte)(0x80 + random.Next(0x10)), Continuation(), Continuation()], // overlong 4-byte
        4 => [0xF4, (byte)(0x90 + random.Next(0x30)), Continuation(), Continuation()], // past U+10FFFF
        5 => [(byte)(0xF5 + random.Next(11)), Continuation()], // never a lead byte
        6 => [Continuation()],
        _ => random.Next(2) == 0 ? [0xE2, 0x82] : [0xF0, 0x9F, 0x98], // truncated
    };

    /// <summary>
    /// A query value for an integer field holding <paramref name="min"/> to <paramref name="max"/>: mostly text that type cannot
    /// hold (past its range, fractions, exponents, other digits and junk), sometimes its extremes.
    /// </summary>
    public EdgeValue Integer(long min, long max) => random.Next(10) switch
    {
        0 => new(((BigInteger)max + 1 + random.Next(1000)).ToString(CultureInfo.InvariantCulture), false),
        1 => new(((BigInteger)min - 1 - random.Next(1000)).ToString(CultureInfo.InvariantCulture), false),
        2 => new((random.Next(2) == 0 ? "-" : "") + Digits(20 + random.Next(40)), false),
        3 => new(Pick(["1.5", "-0.0", "0.1", (random.NextDouble() * 1e6).ToString("G17", CultureInfo.InvariantCulture)]), false),
        4 => new(Pick(["1e3", "1E+400", "-1e-7", $"{1 + random.Next(9)}e{1 + random.Next(400)}", "-9.2e18"]), false),
        5 => new(Pick(NotNumbers), false),
        6 => new(Pick([min, max]).ToString(CultureInfo.InvariantCulture), true),
        7 => Fits(Pick(["-99999999999", "99999999999", "-2147483649", "2147483648", "9223372036854775807", "-9223372036854775808"]), min, max),
        8 => new(Pick(["0", "-0", "+5", "007", "-1"]), true),
        _ => Fits((random.Next(2) == 0 ? "-" : "") + Digits(1 + random.Next(19)), min, max),
    };

    /// <summary>An RFC 3339 instant gone wrong (impossible fields, extended years, bad offsets, wrong shapes), or a valid one at the edge of the range.</summary>
    public EdgeValue Instant() => random.Next(8) switch
    {
        0 => new(ImpossibleField(), false),
        1 => new(Pick(ExtendedYears), false),
        2 or 3 => new(Pick(MalformedInstants), false),
        // RFC 3339 puts no limit on the digits of a fraction: with an offset it is well-formed, without one it is not.
        4 => random.Next(2) == 0
            ? new("2026-01-01T00:00:00." + Digits(10 + random.Next(90)) + "Z", true)
            : new("2026-01-01T00:00:00." + Digits(10 + random.Next(90)) + Pick(["", "+25:00", "."]), false),
        5 => new($"{Digits(5 + random.Next(25))}-01-01T00:00:00Z", false),
        _ => new(Pick(EdgeInstants), true),
    };

    public T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private string ImpossibleField()
    {
        int[] fields = [2026, 1 + random.Next(12), 1 + random.Next(28), random.Next(24), random.Next(60), random.Next(60)];
        var broken = random.Next(6);
        fields[broken] = broken switch
        {
            0 => random.Next(2) == 0 ? 0 : 10000 + random.Next(90000),
            1 => Pick([0, 13 + random.Next(87)]),
            2 => Pick([0, 32 + random.Next(68)]),
            3 => 24 + random.Next(76),
            4 => 60 + random.Next(40),
            _ => 61 + random.Next(39),
        };
        return string.Create(CultureInfo.InvariantCulture, $"{fields[0]:D4}-{fields[1]:D2}-{fields[2]:D2}T{fields[3]:D2}:{fields[4]:D2}:{fields[5]:D2}Z");
    }

    private static EdgeValue Fits(string text, long min, long max) =>
        new(text, long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max);

    private string Escape(int codeUnit) => random.Next(2) == 0 ? $"\\u{codeUnit:x4}" : $"\\u{codeUnit:X4}";

    private byte Continuation() => (byte)(0x80 + random.Next(0x40));

    private string Digits(int count)
    {
        var digits = new StringBuilder(count);
        digits.Append((char)('1' + random.Next(9)));
        for (var i = 1; i < count; i++)
        {
            digits.Append((char)('0' + random.Next(10)));
        }

        return digits.ToString();
    }

    private string Word() => string.Concat(Enumerable.Range(0, random.Next(8)).Select(_ => (char)('a' + random.Next(26))));
}
