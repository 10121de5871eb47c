using Windmill.Webhooks.Audit;

namespace Windmill.Webhooks.Storage.InMemory;

/// <summary>An <see cref="IAuditSink"/> in memory, readable back; everything is lost when the process stops.</summary>
public sealed class InMemoryAuditSink : IAuditSink, IAuditLogReader
{
    private readonly List<AuditEntry> _entries = [];
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public ValueTask WriteAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_lock)
        {
            _entries.Add(entry with { Id = _entries.Count + 1 });
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<AuditEntry>>(_entries
                .Where(e => e.WorkspaceId == query.WorkspaceId
                    && (query.Username is null || e.Username == query.Username)
                    && (query.Operation is null || e.Operation == query.Operation)
                    && (query.Resource is null || e.Resource == query.Resource)
                    && (query.ActionKind is null || e.ActionKind == query.ActionKind)
                    && (query.BeforeId is null || e.Id < query.BeforeId))
                .OrderByDescending(e => e.Id)
                .Skip(query.Offset).Take(query.Limit)
                .ToList());
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
