using System.Data.Common;
using System.Text.Json;

namespace Windmill.Webhooks.Storage;

/// <summary>How the SQL stores read their values back, from any ADO.NET reader: instants as UTC ticks, JSON as text.</summary>
internal static class Rows
{
    public static DateTimeOffset Instant(DbDataReader reader, int ordinal) => new(reader.GetInt64(ordinal), TimeSpan.Zero);

    public static DateTimeOffset? NullableInstant(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : Instant(reader, ordinal);

    public static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static JsonElement Json(DbDataReader reader, int ordinal)
    {
        using var document = JsonDocument.Parse(reader.GetString(ordinal));
        return document.RootElement.Clone();
    }
}
