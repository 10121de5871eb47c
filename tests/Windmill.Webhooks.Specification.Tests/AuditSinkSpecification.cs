using Windmill.Webhooks.Audit;
using Xunit;

namespace Windmill.Webhooks.Specification.Tests;

/// <summary>
/// What every <see cref="IAuditSink"/> must do. A sink that also implements <see cref="IAuditLogReader"/>
/// inherits <see cref="AuditLogReaderSpecification"/> instead, which adds the reading tests.
/// </summary>
public abstract class AuditSinkSpecification
{
    /// <summary>The time the test entries are written at (plus their seconds).</summary>
    protected static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Creates an empty sink.</summary>
    protected abstract Task<IAuditSink> CreateSinkAsync();

    /// <summary>An entry for the tests.</summary>
    protected static AuditEntry Entry(string username = "alice", string operation = "jobs.run.script", string workspace = "demo",
        AuditActionKind kind = AuditActionKind.Execute, string? resource = "u/alice/hello", int seconds = 0) => new()
    {
        WorkspaceId = workspace,
        Timestamp = Epoch.AddSeconds(seconds),
        Username = username,
        Operation = operation,
        ActionKind = kind,
        Resource = resource,
        Parameters = new Dictionary<string, string> { ["uuid"] = "0190f6b2-3c1e-7d2a-9b1f-0f9a1c2b3d4e", ["permissioned_as"] = "u/" + username },
    };

    [Fact]
    public async Task Concurrent_writes_all_complete()
    {
        var sink = await CreateSinkAsync();

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => sink.WriteAsync(Entry(seconds: i), CancellationToken.None).AsTask()));

        if (sink is IAuditLogReader reader)
        {
            Assert.Equal(50, (await reader.ListAsync(new AuditQuery { WorkspaceId = "demo" }, CancellationToken.None)).Count);
        }
    }

    [Fact]
    public async Task Null_entry_is_refused()
    {
        var sink = await CreateSinkAsync();

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await sink.WriteAsync(null!, CancellationToken.None));
    }
}

/// <summary>What every <see cref="IAuditSink"/> that is also an <see cref="IAuditLogReader"/> must do.</summary>
public abstract class AuditLogReaderSpecification : AuditSinkSpecification
{

    [Fact]
    public async Task Written_entry_reads_back_with_every_field_and_a_new_id()
    {
        var reader = await CreateReaderAsync();
        var entry = Entry();

        await ((IAuditSink)reader).WriteAsync(entry, CancellationToken.None);
        var listed = Assert.Single(await reader.ListAsync(new AuditQuery { WorkspaceId = "demo" }, CancellationToken.None));

        Assert.True(listed.Id > 0);
        Assert.Equal(entry.WorkspaceId, listed.WorkspaceId);
        Assert.Equal(entry.Timestamp, listed.Timestamp);
        Assert.Equal(entry.Username, listed.Username);
        Assert.Equal(entry.Operation, listed.Operation);
        Assert.Equal(entry.ActionKind, listed.ActionKind);
        Assert.Equal(entry.Resource, listed.Resource);
        Assert.Equal(entry.Parameters, listed.Parameters);
        var got = await reader.GetAsync("demo", listed.Id, CancellationToken.None);
        Assert.Equal(listed.Id, got?.Id);
        Assert.Equal(entry.Parameters, got?.Parameters);
    }

    [Fact]
    public async Task List_is_newest_first_and_filters_by_workspace_user_operation_resource_and_kind()
    {
        var reader = await CreateReaderAsync();
        var sink = (IAuditSink)reader;
        await sink.WriteAsync(Entry("alice"), CancellationToken.None);
        await sink.WriteAsync(Entry("bob", operation: "jobs.cancel", kind: AuditActionKind.Delete, resource: "job-1"), CancellationToken.None);
        await sink.WriteAsync(Entry("alice", workspace: "other"), CancellationToken.None);
        await sink.WriteAsync(Entry("carol", resource: "u/carol/x"), CancellationToken.None);

        async Task<string[]> Users(AuditQuery query) =>
            (await reader.ListAsync(query, CancellationToken.None)).Select(e => e.Username).ToArray();

        Assert.Equal(["carol", "bob", "alice"], await Users(new AuditQuery { WorkspaceId = "demo" }));
        Assert.Equal(["alice"], await Users(new AuditQuery { WorkspaceId = "demo", Username = "alice" }));
        Assert.Equal(["bob"], await Users(new AuditQuery { WorkspaceId = "demo", Operation = "jobs.cancel" }));
        Assert.Equal(["carol"], await Users(new AuditQuery { WorkspaceId = "demo", Resource = "u/carol/x" }));
        Assert.Equal(["bob"], await Users(new AuditQuery { WorkspaceId = "demo", ActionKind = AuditActionKind.Delete }));
        Assert.Equal(["alice"], await Users(new AuditQuery { WorkspaceId = "other" }));
    }

    [Fact]
    public async Task Paging_by_offset_and_by_before_id_walks_every_entry_once()
    {
        var reader = await CreateReaderAsync();
        for (var i = 0; i < 5; i++)
        {
            await ((IAuditSink)reader).WriteAsync(Entry(seconds: i), CancellationToken.None);
        }

        var all = await reader.ListAsync(new AuditQuery { WorkspaceId = "demo" }, CancellationToken.None);
        var firstPage = await reader.ListAsync(new AuditQuery { WorkspaceId = "demo", Limit = 2 }, CancellationToken.None);
        var secondPage = await reader.ListAsync(new AuditQuery { WorkspaceId = "demo", Limit = 2, Offset = 2 }, CancellationToken.None);
        var afterKey = await reader.ListAsync(new AuditQuery { WorkspaceId = "demo", BeforeId = firstPage[^1].Id }, CancellationToken.None);

        var ids = all.Select(e => e.Id).ToArray();
        Assert.Equal(5, ids.Length);
        Assert.Equal(ids.OrderDescending(), ids);
        Assert.Equal(ids.Take(2), firstPage.Select(e => e.Id));
        Assert.Equal(ids.Skip(2).Take(2), secondPage.Select(e => e.Id));
        Assert.Equal(ids.Skip(2), afterKey.Select(e => e.Id));
    }

    [Fact]
    public async Task Operation_and_resource_match_by_prefix_and_lists_match_exactly()
    {
        var reader = await CreateReaderAsync();
        var sink = (IAuditSink)reader;
        await sink.WriteAsync(Entry("a", operation: "jobs.run.script", resource: "u/alice/hello"), CancellationToken.None);
        await sink.WriteAsync(Entry("b", operation: "jobs.cancel", resource: "0190"), CancellationToken.None);
        await sink.WriteAsync(Entry("c", operation: "users.token.create", resource: "abc"), CancellationToken.None);

        async Task<string[]> Users(AuditQuery query) =>
            (await reader.ListAsync(query, CancellationToken.None)).Select(e => e.Username).ToArray();

        Assert.Equal(["b", "a"], await Users(new AuditQuery { WorkspaceId = "demo", Operation = "jobs." }));
        Assert.Equal(["a"], await Users(new AuditQuery { WorkspaceId = "demo", Resource = "u/alice" }));
        Assert.Equal(["c", "b"], await Users(new AuditQuery { WorkspaceId = "demo", Operations = ["jobs.cancel", "users.token.create"] }));
        Assert.Equal(["a"], await Users(new AuditQuery { WorkspaceId = "demo", ExcludeOperations = ["jobs.cancel", "users.token.create"] }));
        Assert.Empty(await Users(new AuditQuery { WorkspaceId = "demo", Operations = ["jobs"] }));
    }

    [Fact]
    public async Task Before_and_after_bound_the_timestamps()
    {
        var reader = await CreateReaderAsync();
        for (var i = 0; i < 4; i++)
        {
            await ((IAuditSink)reader).WriteAsync(Entry("u" + i, seconds: i * 10), CancellationToken.None);
        }

        var between = await reader.ListAsync(new AuditQuery { WorkspaceId = "demo", After = Epoch.AddSeconds(10), Before = Epoch.AddSeconds(30) },
            CancellationToken.None);

        Assert.Equal(["u3", "u2"], between.Select(e => e.Username));
    }

    [Fact]
    public async Task Retention_deletes_only_entries_older_than_the_cutoff()
    {
        var reader = await CreateReaderAsync();
        if (reader is not IAuditLogRetention retention)
        {
            return; // optional capability
        }

        for (var i = 0; i < 4; i++)
        {
            await ((IAuditSink)reader).WriteAsync(Entry("u" + i, seconds: i * 10), CancellationToken.None);
        }

        var deleted = await retention.DeleteOlderThanAsync(Epoch.AddSeconds(20), CancellationToken.None);

        Assert.Equal(2, deleted);
        Assert.Equal(["u3", "u2"], (await reader.ListAsync(new AuditQuery { WorkspaceId = "demo" }, CancellationToken.None)).Select(e => e.Username));
    }

    [Fact]
    public async Task Get_in_another_workspace_or_unknown_id_is_null()
    {
        var reader = await CreateReaderAsync();
        await ((IAuditSink)reader).WriteAsync(Entry(), CancellationToken.None);
        var id = Assert.Single(await reader.ListAsync(new AuditQuery { WorkspaceId = "demo" }, CancellationToken.None)).Id;

        Assert.Null(await reader.GetAsync("other", id, CancellationToken.None));
        Assert.Null(await reader.GetAsync("demo", id + 1000, CancellationToken.None));
    }

    private async Task<IAuditLogReader> CreateReaderAsync()
    {
        var sink = await CreateSinkAsync();
        return sink as IAuditLogReader
            ?? throw new InvalidOperationException($"{sink.GetType().Name} does not implement IAuditLogReader; inherit AuditSinkSpecification instead.");
    }
}
