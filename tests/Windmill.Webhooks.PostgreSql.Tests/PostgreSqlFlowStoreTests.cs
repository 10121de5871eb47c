using System.Text.Json;
using Windmill.Webhooks.Flows;
using Windmill.Webhooks.PostgreSql.Tests.Infrastructure;
using Windmill.Webhooks.Storage.PostgreSql;

namespace Windmill.Webhooks.PostgreSql.Tests;

/// <summary>
/// What the PostgreSQL <see cref="IFlowStore"/> adds to <c>FlowStoreSpecification</c> (which it passes by inheritance, with the
/// other suites): many processes updating one flow at once, each with its own pool.
/// </summary>
public sealed class PostgreSqlFlowStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2025, 1, 31, 10, 0, 0, TimeSpan.Zero);
    private TestSchema? _schema;
    private PostgreSqlDatabase? _database;
    private PostgreSqlFlowStore? _store;

    public async ValueTask InitializeAsync()
    {
        _schema = await TestSchema.CreateAsync();
        _store = new PostgreSqlFlowStore(_database = _schema.Open());
    }

    public async ValueTask DisposeAsync() => await _schema!.DisposeAsync();

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
}
