namespace Windmill.Webhooks.Idempotency;

/// <summary>
/// The storage SPI behind <c>Idempotency-Key</c>s: what a backend author implements so that keys live in their
/// store. The library owns the semantics (fingerprints, replays, the 24-hour lifetime); the store owns atomicity.
/// Many processes may share one store: each member is one atomic change, and for one key, concurrent claims from
/// any number of processes store exactly one record.
/// </summary>
/// <remarks>
/// Conformance: inherit <c>IdempotencyStoreSpecification</c> from <c>Windmill.Webhooks.Specification.Tests</c>.
/// A record is identified by its (workspace, owner, key), compared exactly; its <see cref="IdempotencyRecord.JobId"/>
/// tells one claim of a key from a later one.
/// </remarks>
public interface IIdempotencyStore
{
    /// <summary>
    /// Stores <paramref name="record"/> unless its key already holds a record created at or after
    /// <paramref name="expiredBefore"/>, in one atomic step: of concurrent claims of one key, exactly one stores its record
    /// and the others get that record back. A record created before <paramref name="expiredBefore"/> is expired: it is
    /// replaced as if the key were free (a store may forget expired records of other keys at the same time).
    /// </summary>
    /// <returns>The record that holds the key, and whether it is <paramref name="record"/>.</returns>
    ValueTask<ClaimedIdempotencyKey> ClaimAsync(IdempotencyRecord record, DateTimeOffset expiredBefore, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets the key only if it still holds <paramref name="record"/>'s claim (the same <see cref="IdempotencyRecord.JobId"/>):
    /// its request never started a job. A key that is free, or held by a later claim, is left as it is.
    /// </summary>
    ValueTask ReleaseAsync(IdempotencyRecord record, CancellationToken cancellationToken);
}
