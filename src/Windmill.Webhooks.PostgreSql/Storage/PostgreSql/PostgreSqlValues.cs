using System.Text.Json;
using Npgsql;

namespace Windmill.Webhooks.Storage.PostgreSql;

/// <summary>
/// How values map to PostgreSQL columns: instants as UTC ticks in <c>bigint</c> (exact, as the SQLite stores keep them), ids as
/// <c>uuid</c>, JSON as <c>text</c> (kept byte for byte: <c>jsonb</c> would reorder an echoed object's keys).
/// </summary>
internal static class PostgreSqlValues
{
    public static long ToDb(DateTimeOffset value) => value.UtcTicks;

    public static object ToDb(DateTimeOffset? value) => value is { } v ? v.UtcTicks : DBNull.Value;

    public static object ToDb(TimeSpan? value) => value is { } v ? (long)v.TotalMilliseconds : DBNull.Value;

    public static object ToDb(JsonElement? value) => value is { } v ? v.GetRawText() : DBNull.Value;

    public static object ToDb(Guid? value) => value is { } v ? v : DBNull.Value;

    public static TimeSpan? NullableDuration(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : TimeSpan.FromMilliseconds(reader.GetInt64(ordinal));

    public static DateTimeOffset Instant(NpgsqlDataReader reader, int ordinal) => new(reader.GetInt64(ordinal), TimeSpan.Zero);

    public static DateTimeOffset? NullableInstant(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Instant(reader, ordinal);

    public static string? NullableString(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static Guid? NullableGuid(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetGuid(ordinal);

    public static JsonElement? NullableJson(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Json(reader, ordinal);

    public static JsonElement Json(NpgsqlDataReader reader, int ordinal)
    {
        using var document = JsonDocument.Parse(reader.GetString(ordinal));
        return document.RootElement.Clone();
    }

    /// <summary>One statement of a batch, with <paramref name="parameters"/> bound by name (<c>@name</c>).</summary>
    public static NpgsqlBatchCommand BatchCommand(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    /// <summary>A command on <paramref name="connection"/> with <paramref name="parameters"/> bound by name (<c>@name</c>).</summary>
    public static NpgsqlCommand Command(this NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction,
        params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
}
