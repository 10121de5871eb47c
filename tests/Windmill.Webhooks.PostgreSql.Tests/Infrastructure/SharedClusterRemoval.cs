[assembly: AssemblyFixture(typeof(Windmill.Webhooks.PostgreSql.Tests.Infrastructure.SharedClusterRemoval))]

namespace Windmill.Webhooks.PostgreSql.Tests.Infrastructure;

/// <summary>Removes the shared cluster once every test of the assembly has run (xunit v3 disposes assembly fixtures last).</summary>
public sealed class SharedClusterRemoval : IAsyncDisposable
{
    public async ValueTask DisposeAsync() => await PostgreSqlCluster.StopSharedAsync();
}
