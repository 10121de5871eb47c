namespace Windmill.Webhooks.Idempotency;

/// <summary>What <see cref="IIdempotencyStore.ClaimAsync"/> found: the record that holds the key, and whether it is the one just stored.</summary>
/// <param name="Held">The record that holds the key now, with every field as stored.</param>
/// <param name="Inserted">Whether <paramref name="Held"/> is the record of this claim (the key was free or expired).</param>
public readonly record struct ClaimedIdempotencyKey(IdempotencyRecord Held, bool Inserted);
