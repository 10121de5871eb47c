namespace Windmill.Webhooks.Audit;

/// <summary>An optional capability of an <see cref="IAuditSink"/>: deleting old entries, for <see cref="WindmillWebhooksOptions.AuditRetention"/>.</summary>
public interface IAuditLogRetention
{
    /// <summary>Deletes every entry older than <paramref name="cutoff"/>; returns how many.</summary>
    ValueTask<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
