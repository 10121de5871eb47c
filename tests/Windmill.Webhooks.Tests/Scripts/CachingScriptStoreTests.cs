using Microsoft.Extensions.Time.Testing;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Storage.InMemory;

namespace Windmill.Webhooks.Tests.Scripts;

/// <summary>The in-memory cache in front of the script store: served from memory, invalidated exactly by writes.</summary>
public sealed class CachingScriptStoreTests
{
    private readonly CountingScriptStore _inner = new(new InMemoryScriptStore());
    private readonly FakeTimeProvider _time = new();
    private readonly CachingScriptStore _cache;

    public CachingScriptStoreTests() => _cache = new CachingScriptStore(_inner, _time);

    [Fact]
    public async Task Repeated_lookups_read_the_store_once()
    {
        var v1 = Version(1);
        await _cache.AddVersionAsync(v1, null, CancellationToken.None);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(v1.Hash, (await _cache.GetLatestAsync("demo", "u/bot/s", CancellationToken.None))?.Hash);
            Assert.Equal(v1.Hash, (await _cache.GetByHashAsync("demo", v1.Hash, CancellationToken.None))?.Hash);
        }

        Assert.Equal((1, 1), (_inner.LatestReads, _inner.HashReads));
    }

    [Fact]
    public async Task A_new_version_is_served_as_soon_as_AddVersion_returns()
    {
        var v1 = Version(1);
        await _cache.AddVersionAsync(v1, null, CancellationToken.None);
        Assert.False((await _cache.GetByHashAsync("demo", v1.Hash, CancellationToken.None))?.Archived);
        Assert.Equal(v1.Hash, (await _cache.GetLatestAsync("demo", "u/bot/s", CancellationToken.None))?.Hash);

        var v2 = Version(2, parent: v1.Hash);
        await _cache.AddVersionAsync(v2, null, CancellationToken.None);

        Assert.Equal(v2.Hash, (await _cache.GetLatestAsync("demo", "u/bot/s", CancellationToken.None))?.Hash);
        Assert.True((await _cache.GetByHashAsync("demo", v1.Hash, CancellationToken.None))?.Archived);
    }

    [Fact]
    public async Task Archive_is_seen_as_soon_as_it_returns()
    {
        var v1 = Version(1);
        await _cache.AddVersionAsync(v1, null, CancellationToken.None);
        Assert.NotNull(await _cache.GetLatestAsync("demo", "u/bot/s", CancellationToken.None));

        Assert.True(await _cache.ArchiveAsync("demo", v1.Hash, null, CancellationToken.None));

        Assert.Null(await _cache.GetLatestAsync("demo", "u/bot/s", CancellationToken.None));
        Assert.True((await _cache.GetByHashAsync("demo", v1.Hash, CancellationToken.None))?.Archived);
    }

    [Fact]
    public async Task A_lookup_that_raced_with_a_write_is_not_served_after_the_write()
    {
        var v1 = Version(1);
        await _cache.AddVersionAsync(v1, null, CancellationToken.None);

        // The lookup reads v1; before it stores its answer, a write through the cache deploys v2 and returns.
        var v2 = Version(2, parent: v1.Hash);
        _inner.BeforeLatestReturns = () => _cache.AddVersionAsync(v2, null, CancellationToken.None).AsTask().Wait();
        Assert.Equal(v1.Hash, (await _cache.GetLatestAsync("demo", "u/bot/s", CancellationToken.None))?.Hash);
        _inner.BeforeLatestReturns = null;

        Assert.Equal(v2.Hash, (await _cache.GetLatestAsync("demo", "u/bot/s", CancellationToken.None))?.Hash);
    }

    [Fact]
    public async Task Missing_scripts_are_not_kept()
    {
        Assert.Null(await _cache.GetLatestAsync("demo", "u/bot/none", CancellationToken.None));
        Assert.Null(await _cache.GetLatestAsync("demo", "u/bot/none", CancellationToken.None));
        Assert.Null(await _cache.GetByHashAsync("demo", new ScriptHash(7), CancellationToken.None));
        Assert.Null(await _cache.GetByHashAsync("demo", new ScriptHash(7), CancellationToken.None));

        Assert.Equal((2, 2), (_inner.LatestReads, _inner.HashReads));
    }

    [Fact]
    public async Task Writes_by_another_process_are_seen_after_the_refresh_interval()
    {
        var v1 = Version(1);
        await _cache.AddVersionAsync(v1, null, CancellationToken.None);
        Assert.Equal(v1.Hash, (await _cache.GetLatestAsync("demo", "u/bot/s", CancellationToken.None))?.Hash);

        var v2 = Version(2, parent: v1.Hash);
        await _inner.Inner.AddVersionAsync(v2, null, CancellationToken.None); // not through the cache

        Assert.Equal(v1.Hash, (await _cache.GetLatestAsync("demo", "u/bot/s", CancellationToken.None))?.Hash);
        _time.Advance(CachingScriptStore.RefreshInterval);
        Assert.Equal(v2.Hash, (await _cache.GetLatestAsync("demo", "u/bot/s", CancellationToken.None))?.Hash);
    }

    private static ScriptVersion Version(long hash, ScriptHash? parent = null) => new()
    {
        Workspace = "demo",
        Hash = new ScriptHash(hash),
        Path = "u/bot/s",
        ParentHash = parent,
        Language = "csharp",
        Content = $"version {hash}",
        CreatedBy = "system",
        CreatedAt = DateTimeOffset.UnixEpoch.AddSeconds(hash),
    };

    private sealed class CountingScriptStore(IScriptStore inner) : IScriptStore
    {
        public IScriptStore Inner { get; } = inner;

        public int LatestReads { get; private set; }

        public int HashReads { get; private set; }

        public Action? BeforeLatestReturns { get; set; }

        public async ValueTask<ScriptVersion?> GetLatestAsync(string workspace, string path, CancellationToken cancellationToken)
        {
            LatestReads++;
            var version = await Inner.GetLatestAsync(workspace, path, cancellationToken);
            BeforeLatestReturns?.Invoke();
            return version;
        }

        public ValueTask<ScriptVersion?> GetByHashAsync(string workspace, ScriptHash hash, CancellationToken cancellationToken)
        {
            HashReads++;
            return Inner.GetByHashAsync(workspace, hash, cancellationToken);
        }

        public bool CommitsWith(IAuditSink audit) => Inner.CommitsWith(audit);

        public ValueTask AddVersionAsync(ScriptVersion version, AuditEntry? audit, CancellationToken cancellationToken) =>
            Inner.AddVersionAsync(version, audit, cancellationToken);

        public ValueTask<bool> ArchiveAsync(string workspace, ScriptHash hash, AuditEntry? audit, CancellationToken cancellationToken) =>
            Inner.ArchiveAsync(workspace, hash, audit, cancellationToken);

        public ValueTask<bool> ArchivePathAsync(string workspace, string path, AuditEntry? audit, CancellationToken cancellationToken) =>
            Inner.ArchivePathAsync(workspace, path, audit, cancellationToken);

        public ValueTask<bool> DeletePathAsync(string workspace, string path, AuditEntry? audit, CancellationToken cancellationToken) =>
            Inner.DeletePathAsync(workspace, path, audit, cancellationToken);

        public IAsyncEnumerable<ScriptVersion> GetHistoryAsync(string workspace, string path, CancellationToken cancellationToken) =>
            Inner.GetHistoryAsync(workspace, path, cancellationToken);

        public IAsyncEnumerable<ScriptVersion> ListAsync(ScriptQuery query, CancellationToken cancellationToken) => Inner.ListAsync(query, cancellationToken);
    }
}
