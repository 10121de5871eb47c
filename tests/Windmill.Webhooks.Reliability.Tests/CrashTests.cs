using Windmill.Webhooks.CrashTest;

namespace Windmill.Webhooks.Reliability.Tests;

/// <summary>The crash tool's short runs: the built sample killed with SIGKILL on one database, alone or beside a second process.</summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Five_SIGKILLs_lose_no_acknowledged_job_and_leave_the_database_intact()
    {
        var report = await RunAsync(new CrashTestOptions { Trials = 5, Seed = 6, Clients = 4 });

        Assert.Equal(5, report.Kills);
        AssertEveryPromiseHeld(report);
    }

    [Fact]
    public async Task With_two_processes_on_one_database_the_survivor_takes_over_a_killed_ones_jobs_after_the_lease()
    {
        var report = await RunAsync(new CrashTestOptions { Trials = 3, Processes = 2, Seed = 6, Clients = 4 });

        Assert.Equal(3 + report.KillsWhileStarting, report.Kills);
        Assert.True(report.Database.Leases.TakenOverBySurvivor > 0, "no job of a killed process ran next in the process that survived it");
        AssertEveryPromiseHeld(report);
    }

    [Fact]
    public async Task SIGKILLs_mid_flow_lose_no_acknowledged_flow_and_never_run_a_succeeded_step_again()
    {
        var report = await RunAsync(new CrashTestOptions { Trials = 3, Flows = true, Seed = 6, Clients = 4 });

        Assert.Equal(3, report.Kills);
        Assert.True(report.Database.Flows.CaughtMidFlow > 0, "no kill caught a flow after one of its steps had succeeded");
        Assert.True(report.Database.Flows.Flows >= report.Acknowledged, "fewer flow jobs than acknowledged flows");
        Assert.Empty(report.Database.WrongResults);
        Assert.Empty(report.Database.Flows.Violations);
        AssertEveryPromiseHeld(report);
    }

    private async Task<CrashTestReport> RunAsync(CrashTestOptions options)
    {
        using var progress = new StringWriter();
        var report = await CrashTestRunner.RunAsync(options, progress, CancellationToken.None);
        report.WriteSummary(progress);
        output.WriteLine(progress.ToString());
        return report;
    }

    private static void AssertEveryPromiseHeld(CrashTestReport report)
    {
        Assert.True(report.Acknowledged > 0, "the clients got no acknowledgement at all");
        Assert.Empty(report.Database.Lost);
        Assert.Empty(report.Database.WithoutAuditEntry);
        Assert.Empty(report.Database.AcknowledgedNotCompleted);
        Assert.Empty(report.Database.Leases.Violations);
        Assert.Empty(report.UnexpectedAnswers);
        Assert.Equal((0, 0, 0), (report.Database.LeftUnfinished, report.Database.OtherwiseFailed, report.ExitedByItself));
        Assert.Equal("ok", report.Database.IntegrityCheck);
        Assert.True(report.StoppedGracefully, "the last process did not stop cleanly on SIGTERM");
        Assert.True(report.Passed);
    }
}
