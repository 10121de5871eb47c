using System.Text.Json;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Flows;
using Windmill.Webhooks.PostgreSql.Tests.Infrastructure;
using Windmill.Webhooks.Storage.PostgreSql;

namespace Windmill.Webhooks.PostgreSql.Tests;

/// <summary>
/// The PostgreSQL <see cref="IFlowStore"/> against the interface's contract. (Main has the interface but no
/// <c>FlowStoreSpecification</c> yet; once it lands, a class that inherits it belongs beside the other suites.)
/// </summary>
public sealed class PostgreSqlFlowStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2025, 1, 31, 10, 0, 0, TimeSpan.Zero);
    private TestSchema? _schema;
    private PostgreSqlDatabase? _database;
    private PostgreSqlFlowStore? _store;

    public async Task InitializeAsync()
    {
        _schema = await TestSchema.CreateAsync();
        _store = new PostgreSqlFlowStore(_database = _schema.Open());
    }

    public async Task DisposeAsync() => await _schema!.DisposeAsync();

    [Fact]
    public async Task A_created_flow_gets_an_id_and_an_update_from_its_newest_version_becomes_the_newest()
    {
        var created = await _store!.AddVersionAsync(Version("f/team/greet", "one"), null, null, CancellationToken.None);
        var updated = await _store.AddVersionAsync(Version("f/team/greet", "two"), created.Id, null, CancellationToken.None);

        Assert.True(updated.Id > created.Id);
        Assert.Equal("two", (await _store.GetLatestAsync("demo", "f/team/greet", CancellationToken.None))!.Summary);
        Assert.Equal("one", (await _store.GetVersionAsync("demo", created.Id, CancellationToken.None))!.Summary);
        Assert.Equal(["two", "one"], await _store.GetHistoryAsync("demo", "f/team/greet", CancellationToken.None).Select(v => v.Summary).ToListAsync());
        Assert.Equal("""{"modules":[{"id":"a"}]}""", updated.Value.GetRawText());
    }

    [Fact]
    public async Task A_create_at_a_taken_path_and_an_update_from_a_stale_version_conflict_and_write_nothing()
    {
        var created = await _store!.AddVersionAsync(Version("f/team/greet", "one"), null, null, CancellationToken.None);
        var updated = await _store.AddVersionAsync(Version("f/team/greet", "two"), created.Id, null, CancellationToken.None);

        await Assert.ThrowsAsync<FlowConflictException>(() => _store.AddVersionAsync(Version("f/team/greet", "again"), null, null, CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<FlowConflictException>(() => _store.AddVersionAsync(Version("f/team/greet", "stale"), created.Id, null, CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<FlowConflictException>(() => _store.AddVersionAsync(Version("f/team/none", "x"), created.Id, null, CancellationToken.None).AsTask());

        Assert.Equal([updated.Id, created.Id], await _store.GetHistoryAsync("demo", "f/team/greet", CancellationToken.None).Select(v => v.Id).ToListAsync());
        Assert.Null(await _store.GetLatestAsync("demo", "f/team/none", CancellationToken.None));
    }

    [Fact]
    public async Task Of_two_processes_updating_one_flow_from_the_same_version_exactly_one_wins()
    {
        var created = await _store!.AddVersionAsync(Version("f/team/greet", "one"), null, null, CancellationToken.None);
        var stores = Enumerable.Range(0, 8).Select(_ => new PostgreSqlFlowStore(_schema!.Open())).ToList();

        var attempts = await Task.WhenAll(stores.Select(async (store, i) =>
        {
            try
            {
                await store.AddVersionAsync(Version("f/team/greet", $"update {i}"), created.Id, null, CancellationToken.None);
                return true;
            }
            catch (FlowConflictException)
            {
                return false;
            }
        }));

        Assert.Single(attempts, won => won);
        Assert.Equal(2, await _store.GetHistoryAsync("demo", "f/team/greet", CancellationToken.None).CountAsync());
    }

    [Fact]
    public async Task Archiving_hides_a_flow_from_the_list_and_an_update_brings_it_back()
    {
        var created = await _store!.AddVersionAsync(Version("f/team/greet", "one"), null, null, CancellationToken.None);
        await _store.AddVersionAsync(Version("f/team/other", "x"), null, null, CancellationToken.None);

        Assert.True(await _store.SetArchivedAsync("demo", "f/team/greet", true, null, CancellationToken.None));
        Assert.False(await _store.SetArchivedAsync("demo", "f/team/none", true, null, CancellationToken.None));
        Assert.True((await _store.GetLatestAsync("demo", "f/team/greet", CancellationToken.None))!.Archived);
        Assert.Equal(["f/team/other"], await Paths(new FlowQuery { Workspace = "demo" }));
        Assert.Equal(["f/team/greet"], await Paths(new FlowQuery { Workspace = "demo", Archived = true }));

        var updated = await _store.AddVersionAsync(Version("f/team/greet", "two"), created.Id, null, CancellationToken.None);

        Assert.False(updated.Archived);
        Assert.Equal(["f/team/greet", "f/team/other"], await Paths(new FlowQuery { Workspace = "demo" }));
    }

    [Fact]
    public async Task A_deleted_flow_leaves_no_version_behind()
    {
        var created = await _store!.AddVersionAsync(Version("f/team/greet", "one"), null, null, CancellationToken.None);

        Assert.True(await _store.DeleteAsync("demo", "f/team/greet", null, CancellationToken.None));

        Assert.False(await _store.DeleteAsync("demo", "f/team/greet", null, CancellationToken.None));
        Assert.Null(await _store.GetVersionAsync("demo", created.Id, CancellationToken.None));
        Assert.Empty(await _store.GetHistoryAsync("demo", "f/team/greet", CancellationToken.None).ToListAsync());
        await _store.AddVersionAsync(Version("f/team/greet", "again"), null, null, CancellationToken.None); // the path is free again
    }

    [Fact]
    public async Task The_list_is_ordered_by_path_filtered_and_paged()
    {
        foreach (var path in new[] { "f/b/x", "f/a/y", "u/alice/z", "f/a/x" })
        {
            await _store!.AddVersionAsync(Version(path, path) with { CreatedBy = path.StartsWith("u/", StringComparison.Ordinal) ? "alice" : "bob" },
                null, null, CancellationToken.None);
        }

        Assert.Equal(["f/a/x", "f/a/y", "f/b/x", "u/alice/z"], await Paths(new FlowQuery { Workspace = "demo" }));
        Assert.Equal(["f/a/x", "f/a/y"], await Paths(new FlowQuery { Workspace = "demo", PathStart = "f/a/" }));
        Assert.Equal(["f/b/x"], await Paths(new FlowQuery { Workspace = "demo", PathExact = "f/b/x" }));
        Assert.Equal(["u/alice/z"], await Paths(new FlowQuery { Workspace = "demo", CreatedBy = "alice" }));
        Assert.Equal(["f/a/y", "f/b/x"], await Paths(new FlowQuery { Workspace = "demo", Offset = 1, Limit = 2 }));
        Assert.Empty(await Paths(new FlowQuery { Workspace = "other" }));
    }

    [Fact]
    public async Task Each_write_commits_its_audit_entry_with_it_and_a_conflict_writes_none()
    {
        var audit = new PostgreSqlAuditSink(_database!);
        Assert.True(_store!.CommitsWith(audit));
        var created = await _store.AddVersionAsync(Version("f/team/greet", "one"), null, Entry("flows.create"), CancellationToken.None);
        await Assert.ThrowsAsync<FlowConflictException>(() =>
            _store.AddVersionAsync(Version("f/team/greet", "x"), null, Entry("flows.create"), CancellationToken.None).AsTask());
        await _store.SetArchivedAsync("demo", "f/team/greet", true, Entry("flows.archive"), CancellationToken.None);
        await _store.DeleteAsync("demo", "f/team/greet", Entry("flows.delete"), CancellationToken.None);

        var entries = await audit.ListAsync(new AuditQuery { WorkspaceId = "demo" }, CancellationToken.None);

        Assert.Equal(["flows.delete", "flows.archive", "flows.create"], entries.Select(e => e.Operation));
        Assert.True(created.Id > 0);
    }

    private Task<List<string>> Paths(FlowQuery query) => _store!.ListAsync(query, CancellationToken.None).Select(v => v.Path).ToListAsync().AsTask();

    private static FlowVersion Version(string path, string summary) => new()
    {
        Workspace = "demo",
        Path = path,
        Id = 0,
        Summary = summary,
        Value = JsonDocument.Parse("""{"modules":[{"id":"a"}]}""").RootElement.Clone(),
        CreatedBy = "bob",
        CreatedAt = At,
    };

    private static AuditEntry Entry(string operation) => new()
    {
        WorkspaceId = "demo",
        Timestamp = At,
        Username = "bob",
        Operation = operation,
        ActionKind = AuditActionKind.Update,
        Resource = "f/team/greet",
    };
}
