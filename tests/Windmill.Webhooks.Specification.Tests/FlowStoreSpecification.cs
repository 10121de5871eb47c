using System.Text.Json;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Flows;
using Windmill.Webhooks.Storage.InMemory;
using Xunit;

namespace Windmill.Webhooks.Specification.Tests;

/// <summary>
/// What every <see cref="IFlowStore"/> must do. Inherit it and implement <see cref="CreateStoreAsync"/>; each test gets a fresh,
/// empty store.
/// </summary>
public abstract class FlowStoreSpecification
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Creates an empty store.</summary>
    protected abstract Task<IFlowStore> CreateStoreAsync();

    /// <summary>
    /// The audit sink whose entries <paramref name="store"/> commits with its writes (<see cref="IFlowStore.CommitsWith"/>), readable
    /// through <see cref="IAuditLogReader"/>; <see langword="null"/> (default) for a store that commits with no sink.
    /// </summary>
    protected virtual IAuditSink? CreateAuditSink(IFlowStore store) => null;

    /// <summary>A flow version for the tests; its id is left for the store to give.</summary>
    protected static FlowVersion Version(string path = "u/alice/flow", string value = "a", string workspace = "demo", string by = "alice", int minutes = 0) => new()
    {
        Workspace = workspace,
        Path = path,
        Id = 0,
        Summary = $"summary {value}",
        Description = $"description {value}",
        Value = JsonDocument.Parse($$$"""{"modules":[{"id":"{{{value}}}","value":{"type":"identity"}}]}""").RootElement,
        Schema = JsonDocument.Parse("""{"type":"object","properties":{"name":{"type":"string"}}}""").RootElement,
        CreatedBy = by,
        CreatedAt = Epoch.AddMinutes(minutes),
        DeploymentMessage = $"deployed {value}",
    };

    [Fact]
    public async Task A_created_flow_reads_back_as_its_newest_version_and_by_its_id_with_every_field()
    {
        var store = await CreateStoreAsync();
        var version = Version();

        var added = await store.AddVersionAsync(version, null, null, CancellationToken.None);
        var latest = await store.GetLatestAsync("demo", "u/alice/flow", CancellationToken.None);
        var byId = await store.GetVersionAsync("demo", added.Id, CancellationToken.None);

        Assert.True(added.Id > 0);
        foreach (var read in new[] { added, latest!, byId! })
        {
            Assert.Equal(("demo", "u/alice/flow", added.Id), (read.Workspace, read.Path, read.Id));
            Assert.Equal((version.Summary, version.Description, version.CreatedBy, version.CreatedAt, version.DeploymentMessage),
                (read.Summary, read.Description, read.CreatedBy, read.CreatedAt, read.DeploymentMessage));
            Assert.Equal(version.Value.GetRawText(), read.Value.GetRawText());
            Assert.Equal(version.Schema!.Value.GetRawText(), read.Schema!.Value.GetRawText());
            Assert.False(read.Archived);
        }
    }

    [Fact]
    public async Task A_version_without_schema_or_message_reads_back_without()
    {
        var store = await CreateStoreAsync();

        await store.AddVersionAsync(Version() with { Schema = null, DeploymentMessage = null }, null, null, CancellationToken.None);
        var read = await store.GetLatestAsync("demo", "u/alice/flow", CancellationToken.None);

        Assert.Equal((null, null), (read?.Schema, read?.DeploymentMessage));
    }

    [Fact]
    public async Task Nothing_reads_at_an_unknown_path_or_id()
    {
        var store = await CreateStoreAsync();

        Assert.Null(await store.GetLatestAsync("demo", "u/alice/none", CancellationToken.None));
        Assert.Null(await store.GetVersionAsync("demo", 12345, CancellationToken.None));
        Assert.Empty(await store.GetHistoryAsync("demo", "u/alice/none", CancellationToken.None).ToListAsync());
    }

    [Fact]
    public async Task A_create_at_a_path_that_has_a_flow_conflicts_and_writes_nothing()
    {
        var store = await CreateStoreAsync();
        var first = await store.AddVersionAsync(Version(value: "a"), null, null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<FlowConflictException>(async () =>
            await store.AddVersionAsync(Version(value: "b"), null, null, CancellationToken.None));

        Assert.Equal("Flow u/alice/flow already exists", error.Message);
        Assert.Equal([first.Id], await store.GetHistoryAsync("demo", "u/alice/flow", CancellationToken.None).Select(v => v.Id).ToListAsync());
    }

    [Fact]
    public async Task An_update_naming_the_newest_version_adds_one_and_history_lists_them_newest_first()
    {
        var store = await CreateStoreAsync();
        var first = await store.AddVersionAsync(Version(value: "a"), null, null, CancellationToken.None);

        var second = await store.AddVersionAsync(Version(value: "b", by: "bob", minutes: 1), first.Id, null, CancellationToken.None);
        var third = await store.AddVersionAsync(Version(value: "c", minutes: 2), second.Id, null, CancellationToken.None);
        var history = await store.GetHistoryAsync("demo", "u/alice/flow", CancellationToken.None).ToListAsync();

        Assert.True(first.Id < second.Id && second.Id < third.Id);
        Assert.Equal([third.Id, second.Id, first.Id], history.Select(v => v.Id));
        Assert.Equal(["summary c", "summary b", "summary a"], history.Select(v => v.Summary));
        Assert.Equal("summary c", (await store.GetLatestAsync("demo", "u/alice/flow", CancellationToken.None))?.Summary);
        Assert.Equal(("summary a", "alice"), ((await store.GetVersionAsync("demo", first.Id, CancellationToken.None))?.Summary, first.CreatedBy));
        Assert.Equal("bob", (await store.GetVersionAsync("demo", second.Id, CancellationToken.None))?.CreatedBy);
    }

    [Fact]
    public async Task An_update_naming_an_older_version_or_a_path_without_a_flow_conflicts_and_writes_nothing()
    {
        var store = await CreateStoreAsync();
        var first = await store.AddVersionAsync(Version(value: "a"), null, null, CancellationToken.None);
        var second = await store.AddVersionAsync(Version(value: "b"), first.Id, null, CancellationToken.None);

        await Assert.ThrowsAsync<FlowConflictException>(async () => await store.AddVersionAsync(Version(value: "c"), first.Id, null, CancellationToken.None));
        await Assert.ThrowsAsync<FlowConflictException>(async () =>
            await store.AddVersionAsync(Version(path: "u/alice/none"), second.Id, null, CancellationToken.None));

        Assert.Equal([second.Id, first.Id], await store.GetHistoryAsync("demo", "u/alice/flow", CancellationToken.None).Select(v => v.Id).ToListAsync());
        Assert.Null(await store.GetLatestAsync("demo", "u/alice/none", CancellationToken.None));
    }

    [Fact]
    public async Task Version_ids_are_unique_across_paths()
    {
        var store = await CreateStoreAsync();

        var a = await store.AddVersionAsync(Version(path: "u/alice/a"), null, null, CancellationToken.None);
        var b = await store.AddVersionAsync(Version(path: "u/alice/b"), null, null, CancellationToken.None);

        Assert.NotEqual(a.Id, b.Id);
        Assert.Equal("u/alice/b", (await store.GetVersionAsync("demo", b.Id, CancellationToken.None))?.Path);
    }

    [Fact]
    public async Task Archiving_marks_every_version_and_unarchiving_or_an_update_clears_it()
    {
        var store = await CreateStoreAsync();
        var first = await store.AddVersionAsync(Version(), null, null, CancellationToken.None);

        Assert.True(await store.SetArchivedAsync("demo", "u/alice/flow", true, null, CancellationToken.None));
        var archived = (await store.GetLatestAsync("demo", "u/alice/flow", CancellationToken.None))!.Archived;
        var archivedById = (await store.GetVersionAsync("demo", first.Id, CancellationToken.None))!.Archived;
        Assert.True(await store.SetArchivedAsync("demo", "u/alice/flow", false, null, CancellationToken.None));
        var unarchived = (await store.GetLatestAsync("demo", "u/alice/flow", CancellationToken.None))!.Archived;
        await store.SetArchivedAsync("demo", "u/alice/flow", true, null, CancellationToken.None);
        var updated = await store.AddVersionAsync(Version(value: "b"), first.Id, null, CancellationToken.None);

        Assert.Equal((true, true, false), (archived, archivedById, unarchived));
        Assert.False(updated.Archived);
        Assert.All(await store.GetHistoryAsync("demo", "u/alice/flow", CancellationToken.None).ToListAsync(), v => Assert.False(v.Archived));
    }

    [Fact]
    public async Task Archiving_or_deleting_a_path_without_a_flow_answers_false()
    {
        var store = await CreateStoreAsync();

        Assert.False(await store.SetArchivedAsync("demo", "u/alice/none", true, null, CancellationToken.None));
        Assert.False(await store.DeleteAsync("demo", "u/alice/none", null, CancellationToken.None));
        Assert.Null(await store.GetLatestAsync("demo", "u/alice/none", CancellationToken.None));
    }

    [Fact]
    public async Task Deleting_removes_the_flow_and_every_version_and_the_path_can_be_created_again()
    {
        var store = await CreateStoreAsync();
        var first = await store.AddVersionAsync(Version(value: "a"), null, null, CancellationToken.None);
        var second = await store.AddVersionAsync(Version(value: "b"), first.Id, null, CancellationToken.None);
        var other = await store.AddVersionAsync(Version(path: "u/alice/other"), null, null, CancellationToken.None);

        Assert.True(await store.DeleteAsync("demo", "u/alice/flow", null, CancellationToken.None));

        Assert.Null(await store.GetLatestAsync("demo", "u/alice/flow", CancellationToken.None));
        Assert.Null(await store.GetVersionAsync("demo", first.Id, CancellationToken.None));
        Assert.Null(await store.GetVersionAsync("demo", second.Id, CancellationToken.None));
        Assert.Empty(await store.GetHistoryAsync("demo", "u/alice/flow", CancellationToken.None).ToListAsync());
        Assert.NotNull(await store.GetVersionAsync("demo", other.Id, CancellationToken.None));
        var again = await store.AddVersionAsync(Version(value: "c"), null, null, CancellationToken.None);
        Assert.Equal([again.Id], await store.GetHistoryAsync("demo", "u/alice/flow", CancellationToken.None).Select(v => v.Id).ToListAsync());
    }

    [Fact]
    public async Task Workspaces_do_not_see_each_others_flows()
    {
        var store = await CreateStoreAsync();
        var demo = await store.AddVersionAsync(Version(value: "demo"), null, null, CancellationToken.None);

        var other = await store.AddVersionAsync(Version(value: "other", workspace: "other"), null, null, CancellationToken.None);
        await store.SetArchivedAsync("other", "u/alice/flow", true, null, CancellationToken.None);

        Assert.Null(await store.GetVersionAsync("other", demo.Id, CancellationToken.None));
        Assert.Equal(("summary demo", false), ((await store.GetLatestAsync("demo", "u/alice/flow", CancellationToken.None))?.Summary,
            (await store.GetLatestAsync("demo", "u/alice/flow", CancellationToken.None))!.Archived));
        Assert.Equal("summary other", (await store.GetVersionAsync("other", other.Id, CancellationToken.None))?.Summary);
        Assert.Equal([demo.Id], await store.ListAsync(new FlowQuery { Workspace = "demo" }, CancellationToken.None).Select(v => v.Id).ToListAsync());
    }

    [Fact]
    public async Task List_gives_the_newest_version_of_each_live_flow_ordered_by_path_and_archived_ones_only_when_asked()
    {
        var store = await CreateStoreAsync();
        var b1 = await store.AddVersionAsync(Version(path: "u/alice/b", value: "b1"), null, null, CancellationToken.None);
        await store.AddVersionAsync(Version(path: "u/alice/b", value: "b2"), b1.Id, null, CancellationToken.None);
        await store.AddVersionAsync(Version(path: "f/team/c"), null, null, CancellationToken.None);
        await store.AddVersionAsync(Version(path: "u/alice/a"), null, null, CancellationToken.None);
        await store.AddVersionAsync(Version(path: "u/alice/gone"), null, null, CancellationToken.None);
        await store.SetArchivedAsync("demo", "u/alice/gone", true, null, CancellationToken.None);

        var live = await store.ListAsync(new FlowQuery { Workspace = "demo" }, CancellationToken.None).ToListAsync();
        var archived = await store.ListAsync(new FlowQuery { Workspace = "demo", Archived = true }, CancellationToken.None).ToListAsync();

        Assert.Equal(["f/team/c", "u/alice/a", "u/alice/b"], live.Select(v => v.Path));
        Assert.Equal("summary b2", live[2].Summary);
        Assert.Equal([("u/alice/gone", true)], archived.Select(v => (v.Path, v.Archived)));
    }

    [Fact]
    public async Task List_filters_by_path_start_exact_path_and_the_newest_versions_author_and_pages()
    {
        var store = await CreateStoreAsync();
        var first = await store.AddVersionAsync(Version(path: "u/alice/a", by: "alice"), null, null, CancellationToken.None);
        await store.AddVersionAsync(Version(path: "u/alice/a", by: "bob"), first.Id, null, CancellationToken.None);
        await store.AddVersionAsync(Version(path: "u/alice/b", by: "alice"), null, null, CancellationToken.None);
        await store.AddVersionAsync(Version(path: "u/alice/c", by: "alice"), null, null, CancellationToken.None);
        await store.AddVersionAsync(Version(path: "u/alicex/d", by: "alice"), null, null, CancellationToken.None);

        async Task<IReadOnlyList<string>> List(FlowQuery query) => await store.ListAsync(query, CancellationToken.None).Select(v => v.Path).ToListAsync();

        Assert.Equal(["u/alice/a", "u/alice/b", "u/alice/c"], await List(new FlowQuery { Workspace = "demo", PathStart = "u/alice/" }));
        Assert.Equal(["u/alice/b"], await List(new FlowQuery { Workspace = "demo", PathExact = "u/alice/b" }));
        Assert.Equal(["u/alice/a"], await List(new FlowQuery { Workspace = "demo", CreatedBy = "bob" }));
        Assert.Equal(["u/alice/b", "u/alice/c", "u/alicex/d"], await List(new FlowQuery { Workspace = "demo", CreatedBy = "alice" }));
        Assert.Equal(["u/alice/b", "u/alice/c"], await List(new FlowQuery { Workspace = "demo", Offset = 1, Limit = 2 }));
        Assert.Empty(await List(new FlowQuery { Workspace = "demo", Offset = 4 }));
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
        var first = await store.AddVersionAsync(Version(), null, Entry("flows.create"), CancellationToken.None);
        await Assert.ThrowsAsync<FlowConflictException>(async () => await store.AddVersionAsync(Version(), null, Entry("refused.create"), CancellationToken.None));
        await store.AddVersionAsync(Version(value: "b"), first.Id, Entry("flows.update"), CancellationToken.None);
        await Assert.ThrowsAsync<FlowConflictException>(async () =>
            await store.AddVersionAsync(Version(value: "c"), first.Id, Entry("refused.update"), CancellationToken.None));
        await store.SetArchivedAsync("demo", "u/alice/flow", true, Entry("flows.archive"), CancellationToken.None);
        await store.SetArchivedAsync("demo", "u/alice/none", true, Entry("refused.archive"), CancellationToken.None);
        await store.DeleteAsync("demo", "u/alice/flow", Entry("flows.delete"), CancellationToken.None);
        await store.DeleteAsync("demo", "u/alice/flow", Entry("refused.delete"), CancellationToken.None);

        var log = await ((IAuditLogReader)sink).ListAsync(new AuditQuery { WorkspaceId = "demo" }, CancellationToken.None);

        Assert.Equal(["flows.delete", "flows.archive", "flows.update", "flows.create"], log.Select(e => e.Operation));
    }

    private static AuditEntry Entry(string operation) => new()
    {
        WorkspaceId = "demo",
        Timestamp = Epoch,
        Username = "alice",
        Operation = operation,
        ActionKind = AuditActionKind.Update,
        Resource = "u/alice/flow",
    };
}
