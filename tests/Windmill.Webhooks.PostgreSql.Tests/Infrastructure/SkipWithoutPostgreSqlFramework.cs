using Windmill.Webhooks.PostgreSql.Tests.Infrastructure;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("Windmill.Webhooks.PostgreSql.Tests.Infrastructure.SkipWithoutPostgreSqlFramework", "Windmill.Webhooks.PostgreSql.Tests")]

namespace Windmill.Webhooks.PostgreSql.Tests.Infrastructure;

/// <summary>
/// xunit's own framework, except that on a machine without PostgreSQL every test of this assembly is reported skipped with
/// <see cref="PostgreSqlCluster.InstallHint"/>, instead of failing: the suites inherited from
/// <c>Windmill.Webhooks.Specification.Tests</c> are plain <c>[Fact]</c>s, which cannot skip themselves in xunit 2.
/// </summary>
public sealed class SkipWithoutPostgreSqlFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkDiscoverer CreateDiscoverer(IAssemblyInfo assemblyInfo) =>
        new Discoverer(assemblyInfo, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Discoverer(IAssemblyInfo assembly, ISourceInformationProvider sourceProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkDiscoverer(assembly, sourceProvider, diagnosticMessageSink)
    {
        protected override bool FindTestsForMethod(ITestMethod testMethod, bool includeSourceInformation, IMessageBus messageBus,
            ITestFrameworkDiscoveryOptions discoveryOptions)
        {
            if (PostgreSqlCluster.Binaries is not null || !testMethod.Method.GetCustomAttributes(typeof(FactAttribute)).Any())
            {
                return base.FindTestsForMethod(testMethod, includeSourceInformation, messageBus, discoveryOptions);
            }

            var skipped = new XunitSkippedDataRowTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, PostgreSqlCluster.InstallHint);
            return ReportDiscoveredTestCase(skipped, includeSourceInformation, messageBus);
        }
    }
}
