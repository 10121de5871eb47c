using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Windmill.Webhooks.Storage.PostgreSql;

namespace Windmill.Webhooks.PostgreSql.Tests.Infrastructure;

/// <summary>A schema of one test's own on the shared cluster, dropped with every database opened on it.</summary>
internal sealed class TestSchema : IAsyncDisposable
{
    private readonly List<PostgreSqlDatabase> _opened = [];

    private TestSchema(PostgreSqlCluster cluster, string name)
    {
        Cluster = cluster;
        Name = name;
    }

    public PostgreSqlCluster Cluster { get; }

    public string Name { get; }

    public static async Task<TestSchema> CreateAsync() => new(await PostgreSqlCluster.Shared, PostgreSqlCluster.CreateSchemaName());

    /// <summary>A new database object over the schema, with a pool of its own: what another process would have.</summary>
    public PostgreSqlDatabase Open(string? connectionString = null)
    {
        var database = new PostgreSqlDatabase(NpgsqlDataSource.Create(connectionString ?? Cluster.ConnectionString()), Name,
            NullLogger<PostgreSqlDatabase>.Instance, ownsDataSource: true);
        _opened.Add(database);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _opened)
        {
            await database.DisposeAsync();
        }

        await Cluster.DropSchemaAsync(Name);
    }
}
