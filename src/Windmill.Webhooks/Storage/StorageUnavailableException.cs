namespace Windmill.Webhooks.Storage;

/// <summary>
/// The store cannot read or write right now: the disk is full, the database is read-only, locked for
/// longer than the busy timeout, or the file cannot be opened. Nothing of the failed operation was kept.
/// The HTTP layer answers it with <c>503 Service unavailable: …</c>; retrying later may succeed.
/// </summary>
public sealed class StorageUnavailableException : Exception
{
    /// <summary>Creates the exception with a message that says what the store refused.</summary>
    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message that says what the store refused, and the store's own error.</summary>
    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public StorageUnavailableException()
        : base("the storage is unavailable")
    {
    }
}
