using Windmill.Webhooks.Audit;

namespace Windmill.Webhooks.Storage.InMemory;

/// <summary>An <see cref="IAuditSink"/> in memory, readable back; everything is lost when the process stops.</summary>
public sealed class InMemoryAuditSink : IAuditSink, IAuditLogReader, IAuditLogRetention
{
    private readonly List<AuditEntry> _entries = [];
    private readonly Lock _lock = new();
    private long _lastId;

    /// <inheritdoc />
    public ValueTask WriteAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Append(entry);
        return ValueTask.CompletedTask;
    }

    /// <summary>Writes <paramref name="entry"/> at once; the in-memory job store calls it inside its own atomic change.</summary>
    internal void Append(AuditEntry entry)
    {
        lock (_lock)
        {
            _entries.Add(entry with { Id = ++_lastId });
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<AuditEntry>>(_entries
                .Where(query.Matches)
                .OrderByDescending(e => e.Id)
                .Skip(query.Offset).Take(query.Limit)
                .ToList());
        }
    }

    /// <inheritdoc />
    public ValueTask<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_entries.RemoveAll(e => e.Timestamp < cutoff));
        }
    }

    /// <inheritdoc />
    public ValueTask<AuditEntry?> GetAsync(string workspaceId, long id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_entries.Find(e => e.WorkspaceId == workspaceId && e.Id == id));
        }
    }
}
