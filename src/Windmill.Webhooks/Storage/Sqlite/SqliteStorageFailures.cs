using Microsoft.Data.Sqlite;

namespace Windmill.Webhooks.Storage.Sqlite;

/// <summary>
/// Tells SQLite's errors of the storage itself (full, read-only, locked, unreadable) from errors of a
/// statement, and turns the former into <see cref="StorageUnavailableException"/>.
/// </summary>
internal static class SqliteStorageFailures
{
    // Primary result codes; extended codes carry them in their low byte (https://sqlite.org/rescode.html).
    private const int Permission = 3;
    private const int Busy = 5;
    private const int Locked = 6;
    private const int ReadOnly = 8;
    private const int IoError = 10;
    private const int Corrupt = 11;
    private const int Full = 13;
    private const int CannotOpen = 14;
    private const int NotADatabase = 26;

    /// <summary>What the storage refused, or <see langword="null"/> when the error is not the storage's.</summary>
    public static string? Describe(SqliteException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return (exception.SqliteErrorCode & 0xFF) switch
        {
            Full => "the database is full",
            ReadOnly => "the database is read-only",
            Busy or Locked => "the database is locked by another writer",
            IoError => "the database file cannot be read or written",
            CannotOpen or Permission => "the database file cannot be opened",
            Corrupt or NotADatabase => "the database file is damaged",
            _ => null,
        };
    }

    /// <summary>The exception to throw instead of <paramref name="exception"/>: translated when it is the storage's, else itself.</summary>
    public static Exception Translate(Exception exception) =>
        exception is SqliteException sqlite && Describe(sqlite) is { } reason ? new StorageUnavailableException(reason, sqlite) : exception;

    public static bool IsStorageFailure(SqliteException exception) => Describe(exception) is not null;
}
