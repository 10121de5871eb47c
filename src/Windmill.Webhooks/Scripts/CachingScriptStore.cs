using System.Collections.Concurrent;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.Scripts;

/// <summary>
/// Serves the two lookups of every webhook call, the newest version at a path and a version by hash,
/// from memory, in front of the registered <see cref="IScriptStore"/>.
/// </summary>
/// <remarks>
/// <para>
/// Invalidation is exact for writes made through this store (the library's own deployments go through
/// it): when a write (<see cref="AddVersionAsync"/>, an archive, a delete) returns, every entry read before
/// it is dropped. Entries carry the generation they were read in, and a write bumps the generation once
/// it has completed, so a read that raced with the write can never be served afterwards.
/// </para>
/// <para>
/// Writes by other processes sharing the store are seen at once when the <see cref="IJobNotifier"/> spans
/// processes (every write publishes <see cref="JobNotificationKind.ScriptsChanged"/>, and one received drops
/// the cache), and within <see cref="RefreshInterval"/> otherwise. Only
/// versions that exist are kept, so the cache holds at most the store's own versions, whatever paths
/// and hashes callers ask for.
/// </para>
/// </remarks>
internal sealed class CachingScriptStore : IScriptStore
{
    /// <summary>How long an entry is served before it is read again, for writes made by other processes.</summary>
    internal static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    private readonly IScriptStore _inner;
    private readonly TimeProvider _time;
    private readonly IJobNotifier? _notifier;
    private readonly ConcurrentDictionary<(string Workspace, string Path), Entry> _latest = new();
    private readonly ConcurrentDictionary<(string Workspace, ScriptHash Hash), Entry> _byHash = new();
    private long _generation;

    public CachingScriptStore(IScriptStore inner, TimeProvider time, IJobNotifier? notifier = null)
    {
        _inner = inner;
        _time = time;
        _notifier = notifier;

        // Lives as long as the application (both are singletons): the subscription is never disposed.
        notifier?.Subscribe(n =>
        {
            if (n.Kind == JobNotificationKind.ScriptsChanged)
            {
                Invalidate();
            }
        });
    }

    public async ValueTask<ScriptVersion?> GetLatestAsync(string workspace, string path, CancellationToken cancellationToken)
    {
        var key = (workspace, path);
        if (TryGet(_latest, key, out var cached))
        {
            return cached;
        }

        var generation = Volatile.Read(ref _generation);
        var readAt = _time.GetTimestamp();
        var version = await _inner.GetLatestAsync(workspace, path, cancellationToken).ConfigureAwait(false);
        Keep(_latest, key, version, generation, readAt);
        return version;
    }

    public async ValueTask<ScriptVersion?> GetByHashAsync(string workspace, ScriptHash hash, CancellationToken cancellationToken)
    {
        var key = (workspace, hash);
        if (TryGet(_byHash, key, out var cached))
        {
            return cached;
        }

        var generation = Volatile.Read(ref _generation);
        var readAt = _time.GetTimestamp();
        var version = await _inner.GetByHashAsync(workspace, hash, cancellationToken).ConfigureAwait(false);
        Keep(_byHash, key, version, generation, readAt);
        return version;
    }

    public bool CommitsWith(IAuditSink audit) => _inner.CommitsWith(audit);

    public ValueTask AddVersionAsync(ScriptVersion version, AuditEntry? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        return WriteAsync(version.Workspace, () => _inner.AddVersionAsync(version, audit, cancellationToken));
    }

    public ValueTask<bool> ArchiveAsync(string workspace, ScriptHash hash, AuditEntry? audit, CancellationToken cancellationToken) =>
        WriteAsync(workspace, () => _inner.ArchiveAsync(workspace, hash, audit, cancellationToken));

    public ValueTask<bool> ArchivePathAsync(string workspace, string path, AuditEntry? audit, CancellationToken cancellationToken) =>
        WriteAsync(workspace, () => _inner.ArchivePathAsync(workspace, path, audit, cancellationToken));

    public ValueTask<bool> DeletePathAsync(string workspace, string path, AuditEntry? audit, CancellationToken cancellationToken) =>
        WriteAsync(workspace, () => _inner.DeletePathAsync(workspace, path, audit, cancellationToken));

    public IAsyncEnumerable<ScriptVersion> GetHistoryAsync(string workspace, string path, CancellationToken cancellationToken) =>
        _inner.GetHistoryAsync(workspace, path, cancellationToken);

    public IAsyncEnumerable<ScriptVersion> ListAsync(ScriptQuery query, CancellationToken cancellationToken) =>
        _inner.ListAsync(query, cancellationToken);

    private async ValueTask WriteAsync(string workspace, Func<ValueTask> write) =>
        await WriteAsync(workspace, async () =>
        {
            await write().ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);

    private async ValueTask<T> WriteAsync<T>(string workspace, Func<ValueTask<T>> write)
    {
        try
        {
            return await write().ConfigureAwait(false);
        }
        finally
        {
            // Even a failed write may have changed the store (a conflict with another process's deployment).
            Invalidate();
            await PublishChangedAsync(workspace).ConfigureAwait(false);
        }
    }

    // Tells the caches of other processes; a lost notice is bounded by RefreshInterval.
    private async ValueTask PublishChangedAsync(string workspace)
    {
        if (_notifier is null)
        {
            return;
        }

        try
        {
            await _notifier.PublishAsync(new JobNotification(JobNotificationKind.ScriptsChanged, Guid.Empty) { Key = workspace },
                CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A notice is a hint: the write itself succeeded or failed on its own.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private bool TryGet<TKey>(ConcurrentDictionary<TKey, Entry> entries, TKey key, out ScriptVersion? version)
        where TKey : notnull
    {
        if (entries.TryGetValue(key, out var entry)
            && entry.Generation == Volatile.Read(ref _generation)
            && _time.GetElapsedTime(entry.ReadAt) < RefreshInterval)
        {
            version = entry.Version;
            return true;
        }

        version = null;
        return false;
    }

    private static void Keep<TKey>(ConcurrentDictionary<TKey, Entry> entries, TKey key, ScriptVersion? version, long generation, long readAt)
        where TKey : notnull
    {
        // A missing version is not kept: callers choose the paths and hashes they ask for.
        if (version is null)
        {
            entries.TryRemove(key, out _);
            return;
        }

        entries[key] = new Entry(version, generation, readAt);
    }

    private void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _latest.Clear();
        _byHash.Clear();
    }

    private sealed record Entry(ScriptVersion Version, long Generation, long ReadAt);
}
