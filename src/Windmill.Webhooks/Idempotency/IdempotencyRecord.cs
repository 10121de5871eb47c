namespace Windmill.Webhooks.Idempotency;

/// <summary>
/// An <c>Idempotency-Key</c> in use: which caller sent it, the fingerprint of the request it came with,
/// and the job that request runs.
/// </summary>
internal sealed record IdempotencyRecord(string Workspace, string Owner, string Key, string Fingerprint, Guid JobId, DateTimeOffset CreatedAt);
