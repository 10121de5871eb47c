using Xunit.Abstractions;
using System.Reflection;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

namespace Windmill.Webhooks.AspNetCore.Tests;

public sealed class DebugTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Debug_dispose()
    {
        var app = new SampleApp();
        using var client = app.CreateAdminClient();
        using var response = await client.PostAsync(SampleApp.Api + "/jobs/run_wait_result/p/u/bot/echo", Wire.JsonBody("{}"));
        output.WriteLine(await response.Content.ReadAsStringAsync());
        var runner = app.Runner;
        var workers = (Task[])runner.GetType().GetField("_workers", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(runner)!;
        output.WriteLine($"workers {workers.Length} {string.Join(",", workers.Select(w => w.Status).Distinct())}");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var stop = ((Microsoft.Extensions.Hosting.IHostedService)runner).StopAsync(CancellationToken.None);
        var done = await Task.WhenAny(stop, Task.Delay(3000));
        output.WriteLine($"stopped {done == stop} after {sw.ElapsedMilliseconds}; workers {string.Join(",", workers.Select(w => w.Status).Distinct())}");
        output.WriteLine(Environment.StackTrace);
    }
}
