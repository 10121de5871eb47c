using Windmill.Webhooks.CrashTest;
using Xunit.Abstractions;

namespace Windmill.Webhooks.Reliability.Tests;

/// <summary>The crash tool's short run: the built sample, killed with SIGKILL five times on one database.</summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Five_SIGKILLs_lose_no_acknowledged_job_and_leave_the_database_intact()
    {
        var options = new CrashTestOptions { Trials = 5, Seed = 6, Clients = 4 };
        using var progress = new StringWriter();

        var report = await CrashTestRunner.RunAsync(options, progress, CancellationToken.None);

        report.WriteSummary(progress);
        output.WriteLine(progress.ToString());
        Assert.Equal(5, report.Kills);
        Assert.True(report.Acknowledged > 0, "the clients got no acknowledgement at all");
        Assert.Empty(report.Database.Lost);
        Assert.Empty(report.Database.AcknowledgedNotCompleted);
        Assert.Empty(report.UnexpectedAnswers);
        Assert.Equal((0, 0, 0), (report.Database.LeftUnfinished, report.Database.OtherwiseFailed, report.ExitedByItself));
        Assert.Equal("ok", report.Database.IntegrityCheck);
        Assert.True(report.StoppedGracefully, "the last start did not stop cleanly on SIGTERM");
        Assert.True(report.Passed);
    }
}
