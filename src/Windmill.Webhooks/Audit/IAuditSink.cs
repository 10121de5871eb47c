namespace Windmill.Webhooks.Audit;

/// <summary>Where audit entries go. Write-only; reading is the optional <see cref="IAuditLogReader"/>.</summary>
public interface IAuditSink
{
    /// <summary>Writes an entry; returns once it is durable.</summary>
    ValueTask WriteAsync(AuditEntry entry, CancellationToken cancellationToken);
}
