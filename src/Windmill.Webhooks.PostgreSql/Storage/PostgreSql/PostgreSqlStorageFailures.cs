using Npgsql;

namespace Windmill.Webhooks.Storage.PostgreSql;

/// <summary>
/// Tells errors of the database server or the way to it (down, unreachable, restarting, failing over, out of connections,
/// a statement timeout) from errors of a statement, and turns the former into <see cref="StorageUnavailableException"/>.
/// </summary>
internal static class PostgreSqlStorageFailures
{
    /// <summary>What the storage refused, or <see langword="null"/> when the error is not the storage's.</summary>
    public static string? Describe(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState switch
        {
            "57014" => "a statement ran past its timeout",
            "57P01" or "57P02" or "57P03" => "the database is shutting down or starting",
            "25006" => "the database is read-only (a standby after a failover?)",
            "53300" => "the database has no connection left",
            "53100" => "the database is full",
            "40001" or "40P01" => "the database is too busy (a conflict persisted after retries)",
            "3D000" => "the database does not exist",
            "28000" or "28P01" => "the database refused the credentials",
            { } state when state.StartsWith("08", StringComparison.Ordinal) => "the connection to the database failed",
            _ => null,
        },

        // Anything else from Npgsql itself is about the connection: refused, reset, timed out, or a pool with no free connection.
        NpgsqlException => "the database cannot be reached",
        _ => null,
    };

    /// <summary>The exception to throw instead of <paramref name="exception"/>: translated when it is the storage's, else itself.</summary>
    public static Exception Translate(Exception exception) =>
        exception is not StorageUnavailableException && Describe(exception) is { } reason ? new StorageUnavailableException(reason, exception) : exception;

    /// <summary>Whether the transaction may simply run again: a serialization failure or a deadlock.</summary>
    public static bool IsRetryable(Exception exception) => exception is PostgresException { SqlState: "40001" or "40P01" };

    /// <summary>Whether <paramref name="exception"/> is a unique-key violation.</summary>
    public static bool IsUniqueViolation(Exception exception) => exception is PostgresException { SqlState: "23505" };
}
