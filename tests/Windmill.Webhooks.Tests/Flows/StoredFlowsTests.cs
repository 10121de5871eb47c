using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Flows;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.Tests.Flows;

/// <summary>
/// <see cref="StoredFlows"/> over stores that cannot hold an audit entry in their commit (the in-memory ones): each write's entry goes to
/// the sink once the write is done, and a refused write leaves none. (Over SQLite, where the entry is in the commit, the wire tests cover it.)
/// </summary>
public sealed class StoredFlowsTests : IDisposable
{
    private static readonly Caller Alice = new("alice");
    private readonly ServiceProvider _services;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public StoredFlowsTests()
    {
        var collection = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(_time);
        collection.AddWindmillWebhooksCore().UseInMemoryStores();
        _services = collection.BuildServiceProvider();
    }

    private StoredFlows Flows => _services.GetRequiredService<StoredFlows>();

    [Fact]
    public async Task Each_write_audits_after_it_is_done_and_a_refused_one_audits_nothing()
    {
        var created = await Flows.CreateAsync("demo", Flow("u/alice/f"), Alice, CancellationToken.None);
        await Assert.ThrowsAsync<FlowConflictException>(async () => await Flows.CreateAsync("demo", Flow("u/alice/f"), Alice, CancellationToken.None));
        _time.Advance(TimeSpan.FromMinutes(1));
        var updated = await Flows.UpdateAsync("demo", "u/alice/f", Flow("u/alice/f") with { DeploymentMessage = "v2" }, Alice, CancellationToken.None);
        await Flows.SetArchivedAsync("demo", "u/alice/f", true, Alice, CancellationToken.None);
        await Assert.ThrowsAsync<FlowNotFoundException>(async () => await Flows.SetArchivedAsync("demo", "u/alice/none", true, Alice, CancellationToken.None));
        await Assert.ThrowsAsync<FlowNotFoundException>(async () =>
            await Flows.UpdateAsync("demo", "u/alice/none", Flow("u/alice/none"), Alice, CancellationToken.None));
        await Flows.DeleteAsync("demo", "u/alice/f", Alice, CancellationToken.None);
        await Assert.ThrowsAsync<FlowNotFoundException>(async () => await Flows.DeleteAsync("demo", "u/alice/f", Alice, CancellationToken.None));

        var log = await ((IAuditLogReader)_services.GetRequiredService<IAuditSink>()).ListAsync(new AuditQuery { WorkspaceId = "demo" }, CancellationToken.None);

        Assert.Equal((created.Id + 1, "alice", _time.GetUtcNow(), "v2"), (updated.Id, updated.CreatedBy, updated.CreatedAt, updated.DeploymentMessage));
        Assert.Equal(["flows.delete", "flows.archive", "flows.update", "flows.create"], log.Select(e => e.Operation));
    }

    [Fact]
    public async Task A_caller_without_the_right_is_refused_before_anything_is_written()
    {
        var scoped = new Caller("alice") { Scopes = ["flows:write:u/alice/other"] };

        var error = await Assert.ThrowsAsync<PermissionDeniedException>(async () =>
            await Flows.CreateAsync("demo", Flow("u/alice/f"), scoped, CancellationToken.None));

        Assert.Equal("Required scope: flows:write:u/alice/f", error.Message);
        Assert.Null(await _services.GetRequiredService<IFlowStore>().GetLatestAsync("demo", "u/alice/f", CancellationToken.None));
    }

    [Fact]
    public async Task Running_a_flow_by_path_enqueues_a_flow_job_of_its_newest_version_and_an_archived_one_does_not_run()
    {
        var runs = _services.GetRequiredService<JobRuns>();
        await Flows.CreateAsync("demo", Flow("u/alice/f"), Alice, CancellationToken.None);
        var newest = await Flows.UpdateAsync("demo", "u/alice/f", Flow("u/alice/f", "b"), Alice, CancellationToken.None);

        var job = await runs.RunFlowAsync("demo", "u/alice/f", JsonDocument.Parse("{}").RootElement, Alice, JobOptions.None, CancellationToken.None);
        await Flows.SetArchivedAsync("demo", "u/alice/f", true, Alice, CancellationToken.None);
        var error = await Assert.ThrowsAsync<FlowNotFoundException>(async () =>
            await runs.RunFlowAsync("demo", "u/alice/f", JsonDocument.Parse("{}").RootElement, Alice, JobOptions.None, CancellationToken.None));

        Assert.Equal((JobKind.Flow, newest.Id, newest.Value.GetRawText()), (job.Runnable.Kind, job.Runnable.Hash.Value, job.Runnable.RawCode));
        Assert.Equal("flow not found at name u/alice/f", error.Message);
    }

    public void Dispose() => _services.Dispose();

    private static NewFlow Flow(string path, string step = "a") => new()
    {
        Path = path,
        Value = JsonDocument.Parse("{\"modules\":[{\"id\":\"" + step + "\",\"value\":{\"type\":\"identity\"}}]}").RootElement,
    };
}
