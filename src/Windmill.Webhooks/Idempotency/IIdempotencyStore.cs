namespace Windmill.Webhooks.Idempotency;

/// <summary>The durable memory of idempotency keys: SQLite or in memory.</summary>
internal interface IIdempotencyStore
{
    /// <summary>
    /// Stores <paramref name="record"/> unless its key already holds a record created at or after
    /// <paramref name="expiredBefore"/>. Returns the record that holds the key, and whether it is the new one.
    /// Expired records are forgotten.
    /// </summary>
    ValueTask<(IdempotencyRecord Held, bool Inserted)> ClaimAsync(IdempotencyRecord record, DateTimeOffset expiredBefore,
        CancellationToken cancellationToken);

    /// <summary>Forgets the key if it still holds <paramref name="record"/>: its request never started a job.</summary>
    ValueTask ReleaseAsync(IdempotencyRecord record, CancellationToken cancellationToken);
}
