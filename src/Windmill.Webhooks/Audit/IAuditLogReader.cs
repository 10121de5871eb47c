namespace Windmill.Webhooks.Audit;

/// <summary>An optional capability of an <see cref="IAuditSink"/>: reading back what it wrote.</summary>
public interface IAuditLogReader
{
    /// <summary>Entries matching <paramref name="query"/>, newest (highest id) first.</summary>
    ValueTask<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken);

    /// <summary>One entry, or <see langword="null"/>.</summary>
    ValueTask<AuditEntry?> GetAsync(string workspaceId, long id, CancellationToken cancellationToken);
}
