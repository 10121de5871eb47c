using System.Text.Json;
using Windmill.Webhooks.Scripts;
using Xunit;

namespace Windmill.Webhooks.Specification.Tests;

/// <summary>
/// What every <see cref="IScriptStore"/> must do. Inherit it and implement <see cref="CreateStoreAsync"/>;
/// each test gets a fresh, empty store.
/// </summary>
public abstract class ScriptStoreSpecification
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Creates an empty store.</summary>
    protected abstract Task<IScriptStore> CreateStoreAsync();

    /// <summary>A script version for the tests.</summary>
    protected static ScriptVersion Version(long hash, string path = "u/alice/hello", long? parent = null, string workspace = "demo", int minutes = 0) => new()
    {
        Workspace = workspace,
        Hash = new ScriptHash(hash),
        Path = path,
        ParentHash = parent is { } p ? new ScriptHash(p) : null,
        Language = "csharp",
        Content = $"content {hash}",
        Summary = "summary",
        Description = "description",
        Schema = JsonDocument.Parse("""{"type":"object","properties":{"name":{"type":"string"}}}""").RootElement,
        CreatedBy = "alice",
        CreatedAt = Epoch.AddMinutes(minutes),
    };

    [Fact]
    public async Task Added_version_reads_back_by_hash_with_every_field()
    {
        var store = await CreateStoreAsync();
        var version = Version(42);

        await store.AddVersionAsync(version, CancellationToken.None);
        var read = await store.GetByHashAsync("demo", new ScriptHash(42), CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(version.Hash, read.Hash);
        Assert.Equal(version.Path, read.Path);
        Assert.Null(read.ParentHash);
        Assert.Equal(version.Language, read.Language);
        Assert.Equal(version.Content, read.Content);
        Assert.Equal(version.Summary, read.Summary);
        Assert.Equal(version.Description, read.Description);
        Assert.Equal(version.Schema!.Value.GetRawText(), read.Schema!.Value.GetRawText());
        Assert.Equal(version.CreatedBy, read.CreatedBy);
        Assert.Equal(version.CreatedAt, read.CreatedAt);
        Assert.False(read.Archived);
    }

    [Fact]
    public async Task A_versions_time_limit_reads_back_and_none_stays_none()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(7) with { Timeout = TimeSpan.FromSeconds(90) }, CancellationToken.None);
        await store.AddVersionAsync(Version(8, path: "u/alice/other"), CancellationToken.None);

        var limited = await store.GetByHashAsync("demo", new ScriptHash(7), CancellationToken.None);
        var unlimited = await store.GetLatestAsync("demo", "u/alice/other", CancellationToken.None);

        Assert.Equal((TimeSpan.FromSeconds(90), (TimeSpan?)null), (limited?.Timeout, unlimited?.Timeout));
    }

    [Fact]
    public async Task Negative_hashes_round_trip()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(-123), CancellationToken.None);

        var read = await store.GetByHashAsync("demo", new ScriptHash(-123), CancellationToken.None);

        Assert.Equal(new ScriptHash(-123), read?.Hash);
    }

    [Fact]
    public async Task Latest_is_the_newest_non_archived_version_at_the_path()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(1, minutes: 0), CancellationToken.None);
        await store.AddVersionAsync(Version(2, parent: 1, minutes: 1), CancellationToken.None);

        var latest = await store.GetLatestAsync("demo", "u/alice/hello", CancellationToken.None);

        Assert.Equal(new ScriptHash(2), latest?.Hash);
        Assert.Equal(new ScriptHash(1), latest?.ParentHash);
    }

    [Fact]
    public async Task Adding_a_child_archives_its_parent_which_still_reads_by_hash()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(1), CancellationToken.None);
        await store.AddVersionAsync(Version(2, parent: 1, minutes: 1), CancellationToken.None);

        var parent = await store.GetByHashAsync("demo", new ScriptHash(1), CancellationToken.None);

        Assert.NotNull(parent);
        Assert.True(parent.Archived);
        Assert.Equal("content 1", parent.Content);
    }

    [Fact]
    public async Task Duplicate_hash_is_a_conflict_and_changes_nothing()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(7), CancellationToken.None);

        var conflict = await Assert.ThrowsAsync<ScriptVersionConflictException>(
            async () => await store.AddVersionAsync(Version(7, path: "u/alice/other"), CancellationToken.None));

        Assert.Equal(new ScriptHash(7), conflict.Hash);
        Assert.Null(await store.GetLatestAsync("demo", "u/alice/other", CancellationToken.None));
    }

    [Fact]
    public async Task Unknown_path_and_hash_are_null()
    {
        var store = await CreateStoreAsync();

        Assert.Null(await store.GetLatestAsync("demo", "u/alice/none", CancellationToken.None));
        Assert.Null(await store.GetByHashAsync("demo", new ScriptHash(99), CancellationToken.None));
    }

    [Fact]
    public async Task Workspaces_are_isolated()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(5, workspace: "one"), CancellationToken.None);

        Assert.Null(await store.GetByHashAsync("two", new ScriptHash(5), CancellationToken.None));
        Assert.Null(await store.GetLatestAsync("two", "u/alice/hello", CancellationToken.None));
        await store.AddVersionAsync(Version(5, workspace: "two"), CancellationToken.None);
        Assert.NotNull(await store.GetByHashAsync("two", new ScriptHash(5), CancellationToken.None));
    }

    [Fact]
    public async Task Archiving_the_only_version_leaves_no_latest()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(3), CancellationToken.None);

        Assert.True(await store.ArchiveAsync("demo", new ScriptHash(3), CancellationToken.None));
        Assert.False(await store.ArchiveAsync("demo", new ScriptHash(4), CancellationToken.None));

        Assert.Null(await store.GetLatestAsync("demo", "u/alice/hello", CancellationToken.None));
        Assert.True((await store.GetByHashAsync("demo", new ScriptHash(3), CancellationToken.None))?.Archived);
    }

    [Fact]
    public async Task History_lists_every_version_newest_first()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(1, minutes: 0), CancellationToken.None);
        await store.AddVersionAsync(Version(2, parent: 1, minutes: 1), CancellationToken.None);
        await store.AddVersionAsync(Version(3, parent: 2, minutes: 2), CancellationToken.None);
        await store.AddVersionAsync(Version(10, path: "u/alice/other"), CancellationToken.None);

        var history = await store.GetHistoryAsync("demo", "u/alice/hello", CancellationToken.None).ToListAsync();

        Assert.Equal([3L, 2L, 1L], history.Select(v => v.Hash.Value));
    }

    [Fact]
    public async Task List_returns_the_latest_version_of_each_path_ordered_by_path()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(1, path: "u/bob/zeta"), CancellationToken.None);
        await store.AddVersionAsync(Version(2, path: "u/alice/alpha"), CancellationToken.None);
        await store.AddVersionAsync(Version(3, path: "u/alice/alpha", parent: 2, minutes: 1), CancellationToken.None);
        await store.AddVersionAsync(Version(4, path: "f/team/etl", workspace: "elsewhere"), CancellationToken.None);

        var listed = await store.ListAsync("demo", CancellationToken.None).ToListAsync();

        Assert.Equal(["u/alice/alpha", "u/bob/zeta"], listed.Select(v => v.Path));
        Assert.Equal([3L, 1L], listed.Select(v => v.Hash.Value));
    }
}
