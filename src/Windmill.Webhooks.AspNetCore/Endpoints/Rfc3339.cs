namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// Reads instants as Windmill does (chrono's RFC 3339): <c>yyyy-MM-ddTHH:mm:ss[.fraction](Z|±hh:mm)</c>, the offset
/// required, any number of fraction digits (kept to the tick), and only instants a <see cref="DateTimeOffset"/> holds.
/// Everything else is refused, rather than guessed at by <see cref="DateTimeOffset.TryParse(string?, out DateTimeOffset)"/>.
/// </summary>
internal static class Rfc3339
{
    /// <summary>What a refused value is told.</summary>
    public const string InvalidMessage = "input is not an RFC 3339 date-time with an offset";

    private const int TickDigits = 7;

    /// <summary>The instant <paramref name="text"/> names, in UTC; <see langword="false"/> when it is not RFC 3339 or out of range.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset instant)
    {
        instant = default;
        if (text.Length < 20 || text[4] != '-' || text[7] != '-' || text[10] is not ('T' or 't' or ' ') || text[13] != ':' || text[16] != ':'
            || !TryDigits(text[..4], out var year) || !TryDigits(text[5..7], out var month) || !TryDigits(text[8..10], out var day)
            || !TryDigits(text[11..13], out var hour) || !TryDigits(text[14..16], out var minute) || !TryDigits(text[17..19], out var second)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var rest = text[19..];
        long fractionTicks = 0;
        if (rest.Length > 0 && rest[0] == '.')
        {
            var digits = rest[1..].IndexOfAnyExceptInRange('0', '9');
            digits = digits < 0 ? rest.Length - 1 : digits;
            if (digits == 0)
            {
                return false;
            }

            // Digits past the tick are dropped, as chrono drops those past the nanosecond.
            var kept = rest.Slice(1, Math.Min(digits, TickDigits));
            _ = TryDigits(kept, out var fraction);
            fractionTicks = fraction;
            for (var scale = kept.Length; scale < TickDigits; scale++)
            {
                fractionTicks *= 10;
            }

            rest = rest[(1 + digits)..];
        }

        if (!TryOffset(rest, out var offset))
        {
            return false;
        }

        var utcTicks = new DateTime(year, month, day, hour, minute, second).Ticks + fractionTicks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        instant = new DateTimeOffset(utcTicks, TimeSpan.Zero);
        return true;
    }

    // Z, or ±hh:mm up to 23:59 (RFC 3339 allows any; the instant is kept in UTC, so .NET's ±14:00 limit does not apply).
    private static bool TryOffset(ReadOnlySpan<char> text, out TimeSpan offset)
    {
        offset = TimeSpan.Zero;
        if (text is "Z" or "z")
        {
            return true;
        }

        if (text.Length != 6 || text[0] is not ('+' or '-') || text[3] != ':'
            || !TryDigits(text[1..3], out var hours) || !TryDigits(text[4..6], out var minutes) || hours > 23 || minutes > 59)
        {
            return false;
        }

        offset = new TimeSpan(hours, minutes, 0) * (text[0] == '-' ? -1 : 1);
        return true;
    }

    // ASCII digits only: char.IsDigit would let other scripts' digits through.
    private static bool TryDigits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = value * 10 + (c - '0');
        }

        return text.Length > 0;
    }
}
