using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Windmill.Webhooks.Storage.Sqlite;

/// <summary>How values map to SQLite columns: instants as UTC ticks, JSON as text.</summary>
internal static class SqliteValues
{
    public static long ToDb(DateTimeOffset value) => value.UtcTicks;

    public static object ToDb(DateTimeOffset? value) => value is { } v ? v.UtcTicks : DBNull.Value;

    public static object ToDb(string? value) => value is null ? DBNull.Value : value;

    public static object ToDb(JsonElement? value) => value is { } v ? v.GetRawText() : DBNull.Value;

    public static object ToDb(TimeSpan? value) => value is { } v ? (long)v.TotalMilliseconds : DBNull.Value;

    public static TimeSpan? NullableDuration(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : TimeSpan.FromMilliseconds(reader.GetInt64(ordinal));

    public static DateTimeOffset Instant(SqliteDataReader reader, int ordinal) => new(reader.GetInt64(ordinal), TimeSpan.Zero);

    public static DateTimeOffset? NullableInstant(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Instant(reader, ordinal);

    public static string? NullableString(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static JsonElement? NullableJson(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Json(reader, ordinal);

    public static JsonElement Json(SqliteDataReader reader, int ordinal)
    {
        using var document = JsonDocument.Parse(reader.GetString(ordinal));
        return document.RootElement.Clone();
    }

    public static Guid? NullableGuid(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Guid.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture);

    public static string ToDb(Guid value) => value.ToString("D", CultureInfo.InvariantCulture);

    public static SqliteCommand Command(this SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    public static bool IsConstraintViolation(this SqliteException e) => e.SqliteErrorCode == 19; // SQLITE_CONSTRAINT
}
