namespace Windmill.Webhooks.Idempotency;

/// <summary>
/// An <c>Idempotency-Key</c> in use: which caller sent it, the fingerprint of the request it came with,
/// and the job that request runs. An <see cref="IIdempotencyStore"/> keeps at most one record per
/// (<see cref="Workspace"/>, <see cref="Owner"/>, <see cref="Key"/>), each part compared exactly (ordinal, case included).
/// </summary>
/// <param name="Workspace">The workspace the request ran in.</param>
/// <param name="Owner">What authenticated the request (a token, or a user signed in through the host): each has keys of its own.</param>
/// <param name="Key">The key the request sent.</param>
/// <param name="Fingerprint">What identifies the request (method, path, query, content type and body); opaque to the store.</param>
/// <param name="JobId">
/// The job the request runs. A new claim proposes a new job id, so the id tells one claim of a key from a later claim of it.
/// </param>
/// <param name="CreatedAt">When the key was claimed; the record expires a lifetime later.</param>
public sealed record IdempotencyRecord(string Workspace, string Owner, string Key, string Fingerprint, Guid JobId, DateTimeOffset CreatedAt);
