using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Storage.InMemory;

namespace Windmill.Webhooks.Tests.Audit;

public sealed class AuditRetentionServiceTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero));
    private readonly InMemoryAuditSink _sink = new();

    [Fact]
    public async Task Entries_older_than_the_retention_are_deleted_at_start()
    {
        await WriteAsync("old", _time.GetUtcNow().AddDays(-31));
        await WriteAsync("recent", _time.GetUtcNow().AddDays(-29));
        using var service = new AuditRetentionService(_sink, _time, Options.Create(new WindmillWebhooksOptions { AuditRetention = TimeSpan.FromDays(30) }),
            NullLogger<AuditRetentionService>.Instance);

        await service.StartAsync(CancellationToken.None);
        await service.StopAsync(CancellationToken.None);

        Assert.Equal(["recent"], (await _sink.ListAsync(new AuditQuery { WorkspaceId = "demo" }, CancellationToken.None)).Select(e => e.Username));
    }

    [Fact]
    public async Task Without_a_retention_nothing_is_deleted()
    {
        await WriteAsync("ancient", _time.GetUtcNow().AddYears(-5));
        using var service = new AuditRetentionService(_sink, _time, Options.Create(new WindmillWebhooksOptions()), NullLogger<AuditRetentionService>.Instance);

        await service.StartAsync(CancellationToken.None);
        await service.StopAsync(CancellationToken.None);

        Assert.Single(await _sink.ListAsync(new AuditQuery { WorkspaceId = "demo" }, CancellationToken.None));
    }

    private ValueTask WriteAsync(string username, DateTimeOffset at) => _sink.WriteAsync(new AuditEntry
    {
        WorkspaceId = "demo",
        Timestamp = at,
        Username = username,
        Operation = "jobs.run.script",
        ActionKind = AuditActionKind.Execute,
    }, CancellationToken.None);
}
