using Windmill.Webhooks.Idempotency;

namespace Windmill.Webhooks.Storage.InMemory;

/// <summary>The in-memory <see cref="IIdempotencyStore"/>: each member is atomic under one lock; nothing survives the process.</summary>
public sealed class InMemoryIdempotencyStore : IIdempotencyStore
{
    private readonly Dictionary<(string, string, string), IdempotencyRecord> _records = [];
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public ValueTask<ClaimedIdempotencyKey> ClaimAsync(IdempotencyRecord record, DateTimeOffset expiredBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_lock)
        {
            foreach (var expired in _records.Where(pair => pair.Value.CreatedAt < expiredBefore).Select(pair => pair.Key).ToList())
            {
                _records.Remove(expired);
            }

            var key = (record.Workspace, record.Owner, record.Key);
            return _records.TryAdd(key, record)
                ? ValueTask.FromResult(new ClaimedIdempotencyKey(record, Inserted: true))
                : ValueTask.FromResult(new ClaimedIdempotencyKey(_records[key], Inserted: false));
        }
    }

    /// <inheritdoc />
    public ValueTask ReleaseAsync(IdempotencyRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_lock)
        {
            var key = (record.Workspace, record.Owner, record.Key);
            if (_records.TryGetValue(key, out var held) && held.JobId == record.JobId)
            {
                _records.Remove(key);
            }
        }

        return ValueTask.CompletedTask;
    }
}
