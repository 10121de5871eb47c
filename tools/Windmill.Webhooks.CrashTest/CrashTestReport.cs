using System.Globalization;

namespace Windmill.Webhooks.CrashTest;

/// <summary>The outcome of a run: what was acknowledged, what the database holds, and whether every promise held.</summary>
internal sealed record CrashTestReport
{
    public required CrashTestOptions Options { get; init; }

    /// <summary>Kills with SIGKILL, including those while the sample was starting.</summary>
    public required int Kills { get; init; }

    public required int KillsWhileStarting { get; init; }

    public required int AsyncAcknowledged { get; init; }

    public required int SyncAcknowledged { get; init; }

    public required long Interrupted { get; init; }

    public required IReadOnlyList<string> UnexpectedAnswers { get; init; }

    /// <summary>Starts where the sample exited before the run killed it.</summary>
    public required int ExitedByItself { get; init; }

    /// <summary>Whether the last start, after every job finished, stopped on SIGTERM with exit code 0.</summary>
    public required bool StoppedGracefully { get; init; }

    public required DatabaseFindings Database { get; init; }

    public required TimeSpan Elapsed { get; init; }

    /// <summary>The work folder, when it was kept.</summary>
    public string? KeptWorkDirectory { get; init; }

    public int Acknowledged => AsyncAcknowledged + SyncAcknowledged;

    public bool Passed =>
        Database.Lost.Count == 0 && Database.AcknowledgedNotCompleted.Count == 0 && Database.LeftUnfinished == 0 && Database.OtherwiseFailed == 0
        && Database.IntegrityCheck == "ok" && UnexpectedAnswers.Count == 0 && ExitedByItself == 0 && StoppedGracefully && Acknowledged > 0;

    public void WriteSummary(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var culture = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(culture, $"Crash test: {Kills} trials (SIGKILL; {KillsWhileStarting} while starting), seed {Options.Seed}, {Options.Clients} clients, {Elapsed.TotalSeconds:F0} s"));
        output.WriteLine(string.Create(culture, $"  acknowledged jobs:     {Acknowledged} ({AsyncAcknowledged} async: 201 with the job id; {SyncAcknowledged} sync: 200 with the result, job found by its nonce)"));
        output.WriteLine(string.Create(culture, $"  interrupted requests:  {Interrupted} (cut short by a kill; not acknowledged)"));
        output.WriteLine(string.Create(culture, $"  jobs in the database:  {Database.Jobs} ({Database.Succeeded} success, {Database.GaveUpAtRestartLimit} failed at the restart limit, {Database.OtherwiseFailed} failed otherwise, {Database.LeftUnfinished} left queued or running)"));
        output.WriteLine(string.Create(culture, $"  lost jobs:             {Database.Lost.Count} (acknowledged, but no job row or no jobs.run.script audit entry)"));
        output.WriteLine(string.Create(culture, $"  acknowledged, not completed: {Database.AcknowledgedNotCompleted.Count}"));
        output.WriteLine(string.Create(culture, $"  duplicates:            {Database.RunAgainAfterCrash} jobs started more than once (restart_count > 0; {Database.AcknowledgedRunAgainAfterCrash} of them acknowledged)"));
        output.WriteLine(string.Create(culture, $"  jobs without audit:    {Database.WithoutAuditEntry} (never acknowledged: killed between the job's commit and its audit entry's)"));
        output.WriteLine(string.Create(culture, $"  unexpected answers:    {UnexpectedAnswers.Count}; exited by itself: {ExitedByItself}; stopped on SIGTERM: {(StoppedGracefully ? "yes" : "no")}"));
        output.WriteLine($"  integrity_check:       {Database.IntegrityCheck}");
        foreach (var problem in Database.Lost.Concat(Database.AcknowledgedNotCompleted).Concat(UnexpectedAnswers).Take(20))
        {
            output.WriteLine($"  ! {problem}");
        }

        if (KeptWorkDirectory is not null)
        {
            output.WriteLine($"  work folder kept: {KeptWorkDirectory}");
        }

        output.WriteLine(Passed ? "PASS" : "FAIL");
    }
}
