using System.Text.Json;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Storage.InMemory;
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

    /// <summary>
    /// The audit sink whose entries <paramref name="store"/> commits with its writes (<see cref="IScriptStore.CommitsWith"/>), readable
    /// through <see cref="IAuditLogReader"/>; <see langword="null"/> (default) for a store that commits with no sink.
    /// </summary>
    protected virtual IAuditSink? CreateAuditSink(IScriptStore store) => null;

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
        var version = Version(42) with { CompiledCode = "export function main() { return 42 }" };

        await store.AddVersionAsync(version, null, CancellationToken.None);
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
        Assert.Equal(version.CompiledCode, read.CompiledCode);
        Assert.False(read.Archived);
    }

    [Fact]
    public async Task A_version_without_compiled_code_reads_back_without()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(43), null, CancellationToken.None);

        Assert.Null((await store.GetByHashAsync("demo", new ScriptHash(43), CancellationToken.None))?.CompiledCode);
    }

    [Fact]
    public async Task A_versions_time_limit_reads_back_and_none_stays_none()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(7) with { Timeout = TimeSpan.FromSeconds(90) }, null, CancellationToken.None);
        await store.AddVersionAsync(Version(8, path: "u/alice/other"), null, CancellationToken.None);

        var limited = await store.GetByHashAsync("demo", new ScriptHash(7), CancellationToken.None);
        var unlimited = await store.GetLatestAsync("demo", "u/alice/other", CancellationToken.None);

        Assert.Equal((TimeSpan.FromSeconds(90), (TimeSpan?)null), (limited?.Timeout, unlimited?.Timeout));
    }

    [Fact]
    public async Task Negative_hashes_round_trip()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(-123), null, CancellationToken.None);

        var read = await store.GetByHashAsync("demo", new ScriptHash(-123), CancellationToken.None);

        Assert.Equal(new ScriptHash(-123), read?.Hash);
    }

    [Fact]
    public async Task Latest_is_the_newest_non_archived_version_at_the_path()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(1, minutes: 0), null, CancellationToken.None);
        await store.AddVersionAsync(Version(2, parent: 1, minutes: 1), null, CancellationToken.None);

        var latest = await store.GetLatestAsync("demo", "u/alice/hello", CancellationToken.None);

        Assert.Equal(new ScriptHash(2), latest?.Hash);
        Assert.Equal(new ScriptHash(1), latest?.ParentHash);
    }

    [Fact]
    public async Task Adding_a_child_archives_its_parent_which_still_reads_by_hash()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(1), null, CancellationToken.None);
        await store.AddVersionAsync(Version(2, parent: 1, minutes: 1), null, CancellationToken.None);

        var parent = await store.GetByHashAsync("demo", new ScriptHash(1), CancellationToken.None);

        Assert.NotNull(parent);
        Assert.True(parent.Archived);
        Assert.Equal("content 1", parent.Content);
    }

    [Fact]
    public async Task Duplicate_hash_is_a_conflict_and_changes_nothing()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(7), null, CancellationToken.None);

        var conflict = await Assert.ThrowsAsync<ScriptVersionConflictException>(
            async () => await store.AddVersionAsync(Version(7, path: "u/alice/other"), null, CancellationToken.None));

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
        await store.AddVersionAsync(Version(5, workspace: "one"), null, CancellationToken.None);

        Assert.Null(await store.GetByHashAsync("two", new ScriptHash(5), CancellationToken.None));
        Assert.Null(await store.GetLatestAsync("two", "u/alice/hello", CancellationToken.None));
        await store.AddVersionAsync(Version(5, workspace: "two"), null, CancellationToken.None);
        Assert.NotNull(await store.GetByHashAsync("two", new ScriptHash(5), CancellationToken.None));
    }

    [Fact]
    public async Task Archiving_the_only_version_leaves_no_latest()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(3), null, CancellationToken.None);

        Assert.True(await store.ArchiveAsync("demo", new ScriptHash(3), null, CancellationToken.None));
        Assert.False(await store.ArchiveAsync("demo", new ScriptHash(4), null, CancellationToken.None));

        Assert.Null(await store.GetLatestAsync("demo", "u/alice/hello", CancellationToken.None));
        Assert.True((await store.GetByHashAsync("demo", new ScriptHash(3), CancellationToken.None))?.Archived);
    }

    [Fact]
    public async Task History_lists_every_version_newest_first()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(1, minutes: 0), null, CancellationToken.None);
        await store.AddVersionAsync(Version(2, parent: 1, minutes: 1), null, CancellationToken.None);
        await store.AddVersionAsync(Version(3, parent: 2, minutes: 2), null, CancellationToken.None);
        await store.AddVersionAsync(Version(10, path: "u/alice/other"), null, CancellationToken.None);

        var history = await store.GetHistoryAsync("demo", "u/alice/hello", CancellationToken.None).ToListAsync();

        Assert.Equal([3L, 2L, 1L], history.Select(v => v.Hash.Value));
    }

    [Fact]
    public async Task List_returns_the_latest_version_of_each_path_ordered_by_path()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(1, path: "u/bob/zeta"), null, CancellationToken.None);
        await store.AddVersionAsync(Version(2, path: "u/alice/alpha"), null, CancellationToken.None);
        await store.AddVersionAsync(Version(3, path: "u/alice/alpha", parent: 2, minutes: 1), null, CancellationToken.None);
        await store.AddVersionAsync(Version(4, path: "f/team/etl", workspace: "elsewhere"), null, CancellationToken.None);

        var listed = await store.ListAsync(new ScriptQuery { Workspace = "demo" }, CancellationToken.None).ToListAsync();

        Assert.Equal(["u/alice/alpha", "u/bob/zeta"], listed.Select(v => v.Path));
        Assert.Equal([3L, 1L], listed.Select(v => v.Hash.Value));
    }

    [Fact]
    public async Task A_version_whose_parent_is_not_the_head_is_refused_and_changes_nothing()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(1), null, CancellationToken.None);
        await store.AddVersionAsync(Version(2, parent: 1, minutes: 1), null, CancellationToken.None);

        var stale = await Assert.ThrowsAsync<ScriptLineageException>(
            async () => await store.AddVersionAsync(Version(3, parent: 1, minutes: 2), null, CancellationToken.None));
        var orphan = await Assert.ThrowsAsync<ScriptLineageException>(
            async () => await store.AddVersionAsync(Version(4, minutes: 2), null, CancellationToken.None));

        Assert.Equal((new ScriptHash(2), new ScriptHash(2), "u/alice/hello"), (stale.Head, orphan.Head, stale.Path));
        Assert.Equal(new ScriptHash(2), (await store.GetLatestAsync("demo", "u/alice/hello", CancellationToken.None))?.Hash);
        Assert.Null(await store.GetByHashAsync("demo", new ScriptHash(3), CancellationToken.None));
        Assert.Null(await store.GetByHashAsync("demo", new ScriptHash(4), CancellationToken.None));
        Assert.False((await store.GetByHashAsync("demo", new ScriptHash(2), CancellationToken.None))?.Archived);
    }

    [Fact]
    public async Task A_taken_hash_is_a_conflict_before_it_is_a_lineage_error()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(1), null, CancellationToken.None);

        // The same version deployed again by another process: its parent is no longer the head, but the hash says why.
        await Assert.ThrowsAsync<ScriptVersionConflictException>(async () => await store.AddVersionAsync(Version(1), null, CancellationToken.None));
    }

    [Fact]
    public async Task Archiving_a_path_archives_every_version_which_still_read_by_hash()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(1), null, CancellationToken.None);
        await store.AddVersionAsync(Version(2, parent: 1, minutes: 1), null, CancellationToken.None);
        await store.AddVersionAsync(Version(3, path: "u/alice/other"), null, CancellationToken.None);

        Assert.True(await store.ArchivePathAsync("demo", "u/alice/hello", null, CancellationToken.None));
        Assert.False(await store.ArchivePathAsync("demo", "u/alice/none", null, CancellationToken.None));

        Assert.Null(await store.GetLatestAsync("demo", "u/alice/hello", CancellationToken.None));
        Assert.Equal((true, true, false), (
            (await store.GetByHashAsync("demo", new ScriptHash(1), CancellationToken.None))?.Archived,
            (await store.GetByHashAsync("demo", new ScriptHash(2), CancellationToken.None))?.Archived,
            (await store.GetByHashAsync("demo", new ScriptHash(3), CancellationToken.None))?.Archived));
    }

    [Fact]
    public async Task A_path_without_a_head_takes_a_new_version_with_or_without_a_parent()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(1), null, CancellationToken.None);
        await store.ArchivePathAsync("demo", "u/alice/hello", null, CancellationToken.None);

        await store.AddVersionAsync(Version(2, parent: 1, minutes: 1), null, CancellationToken.None);
        await store.ArchivePathAsync("demo", "u/alice/hello", null, CancellationToken.None);
        await store.AddVersionAsync(Version(3, minutes: 2), null, CancellationToken.None);

        Assert.Equal(new ScriptHash(3), (await store.GetLatestAsync("demo", "u/alice/hello", CancellationToken.None))?.Hash);
    }

    [Fact]
    public async Task Deleting_a_path_forgets_every_version_of_it_and_nothing_else()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(1), null, CancellationToken.None);
        await store.AddVersionAsync(Version(2, parent: 1, minutes: 1), null, CancellationToken.None);
        await store.AddVersionAsync(Version(3, path: "u/alice/other"), null, CancellationToken.None);
        await store.AddVersionAsync(Version(4, workspace: "elsewhere"), null, CancellationToken.None);

        Assert.True(await store.DeletePathAsync("demo", "u/alice/hello", null, CancellationToken.None));
        Assert.False(await store.DeletePathAsync("demo", "u/alice/hello", null, CancellationToken.None));

        Assert.Null(await store.GetLatestAsync("demo", "u/alice/hello", CancellationToken.None));
        Assert.Null(await store.GetByHashAsync("demo", new ScriptHash(1), CancellationToken.None));
        Assert.Null(await store.GetByHashAsync("demo", new ScriptHash(2), CancellationToken.None));
        Assert.Empty(await store.GetHistoryAsync("demo", "u/alice/hello", CancellationToken.None).ToListAsync());
        Assert.NotNull(await store.GetByHashAsync("demo", new ScriptHash(3), CancellationToken.None));
        Assert.NotNull(await store.GetLatestAsync("elsewhere", "u/alice/hello", CancellationToken.None));
    }

    [Fact]
    public async Task List_filters_by_path_creator_and_language_and_pages()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(1, path: "f/team/a") with { Language = "bun" }, null, CancellationToken.None);
        await store.AddVersionAsync(Version(2, path: "f/team/b") with { CreatedBy = "bob" }, null, CancellationToken.None);
        await store.AddVersionAsync(Version(3, path: "f/teamx/c"), null, CancellationToken.None);
        await store.AddVersionAsync(Version(4, path: "u/alice/d"), null, CancellationToken.None);

        async Task<string[]> PathsAsync(ScriptQuery query) =>
            [.. (await store.ListAsync(query, CancellationToken.None).ToListAsync()).Select(v => v.Path)];

        Assert.Equal(["f/team/a", "f/team/b"], await PathsAsync(new ScriptQuery { Workspace = "demo", PathStart = "f/team/" }));
        Assert.Equal(["f/teamx/c"], await PathsAsync(new ScriptQuery { Workspace = "demo", PathExact = "f/teamx/c" }));
        Assert.Equal(["f/team/b"], await PathsAsync(new ScriptQuery { Workspace = "demo", CreatedBy = "bob" }));
        Assert.Equal(["f/team/a"], await PathsAsync(new ScriptQuery { Workspace = "demo", Languages = ["bun", "deno"] }));
        Assert.Equal(["f/team/b", "f/teamx/c"], await PathsAsync(new ScriptQuery { Workspace = "demo", Offset = 1, Limit = 2 }));
    }

    [Fact]
    public async Task List_with_archived_shows_the_newest_version_of_each_path_without_a_head()
    {
        var store = await CreateStoreAsync();
        await store.AddVersionAsync(Version(1, path: "u/alice/gone"), null, CancellationToken.None);
        await store.AddVersionAsync(Version(2, path: "u/alice/gone", parent: 1, minutes: 1), null, CancellationToken.None);
        await store.ArchivePathAsync("demo", "u/alice/gone", null, CancellationToken.None);
        await store.AddVersionAsync(Version(3, path: "u/alice/live"), null, CancellationToken.None);
        await store.AddVersionAsync(Version(4, path: "u/alice/live", parent: 3, minutes: 1), null, CancellationToken.None);

        var archived = await store.ListAsync(new ScriptQuery { Workspace = "demo", Archived = true }, CancellationToken.None).ToListAsync();
        var live = await store.ListAsync(new ScriptQuery { Workspace = "demo" }, CancellationToken.None).ToListAsync();

        Assert.Equal([2L], archived.Select(v => v.Hash.Value));
        Assert.Equal([4L], live.Select(v => v.Hash.Value));
    }

    [Fact]
    public async Task Writes_commit_their_audit_entry_with_them_and_refused_ones_write_none()
    {
        var store = await CreateStoreAsync();
        var sink = CreateAuditSink(store);
        if (sink is null)
        {
            // A store that commits with no sink must not claim to commit with one it does not own.
            Assert.False(store.CommitsWith(new InMemoryAuditSink()));
            return;
        }

        Assert.True(store.CommitsWith(sink));
        await store.AddVersionAsync(Version(1), Entry("scripts.create"), CancellationToken.None);
        await Assert.ThrowsAsync<ScriptLineageException>(async () => await store.AddVersionAsync(Version(2), Entry("refused.add"), CancellationToken.None));
        await store.ArchiveAsync("demo", new ScriptHash(1), Entry("scripts.archive"), CancellationToken.None);
        await store.ArchiveAsync("demo", new ScriptHash(9), Entry("refused.archive"), CancellationToken.None);
        await store.ArchivePathAsync("demo", "u/alice/hello", Entry("scripts.archive_path"), CancellationToken.None);
        await store.ArchivePathAsync("demo", "u/alice/none", Entry("refused.archive_path"), CancellationToken.None);
        await store.DeletePathAsync("demo", "u/alice/hello", Entry("scripts.delete"), CancellationToken.None);
        await store.DeletePathAsync("demo", "u/alice/hello", Entry("refused.delete"), CancellationToken.None);

        var log = await ((IAuditLogReader)sink).ListAsync(new AuditQuery { WorkspaceId = "demo" }, CancellationToken.None);

        Assert.Equal(["scripts.delete", "scripts.archive_path", "scripts.archive", "scripts.create"], log.Select(e => e.Operation));
    }

    private static AuditEntry Entry(string operation) => new()
    {
        WorkspaceId = "demo",
        Timestamp = Epoch,
        Username = "alice",
        Operation = operation,
        ActionKind = AuditActionKind.Update,
        Resource = "u/alice/hello",
    };
}
