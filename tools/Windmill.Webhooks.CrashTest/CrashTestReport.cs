using System.Globalization;

namespace Windmill.Webhooks.CrashTest;

/// <summary>The outcome of a run: what was acknowledged, what the database holds, and whether every promise held.</summary>
internal sealed record CrashTestReport
{
    public required CrashTestOptions Options { get; init; }

    /// <summary>
    /// Kills with SIGKILL, including those while the sample was starting: one per trial with one process; with two,
    /// one per trial plus one more for each restart killed while starting.
    /// </summary>
    public required int Kills { get; init; }

    public required int KillsWhileStarting { get; init; }

    public required int AsyncAcknowledged { get; init; }

    public required int SyncAcknowledged { get; init; }

    public required long Interrupted { get; init; }

    public required IReadOnlyList<string> UnexpectedAnswers { get; init; }

    /// <summary>Starts where the sample exited before the run killed it.</summary>
    public required int ExitedByItself { get; init; }

    /// <summary>Whether the last process (the last start, or the survivor of the last kill), after every job finished, stopped on SIGTERM with exit code 0.</summary>
    public required bool StoppedGracefully { get; init; }

    public required DatabaseFindings Database { get; init; }

    public required TimeSpan Elapsed { get; init; }

    /// <summary>The work folder, when it was kept.</summary>
    public string? KeptWorkDirectory { get; init; }

    public int Acknowledged => AsyncAcknowledged + SyncAcknowledged;

    /// <summary>With two processes, whether a survivor ran at least one job that a killed process held (the last kill makes sure there is one).</summary>
    public bool SurvivorTookOver => Options.Processes == 1 || Database.Leases.TakenOverBySurvivor > 0;

    public bool Passed =>
        Database.Lost.Count == 0 && Database.AcknowledgedNotCompleted.Count == 0 && Database.LeftUnfinished == 0 && Database.OtherwiseFailed == 0
        && Database.WithoutAuditEntry.Count == 0 && Database.Leases.Violations.Count == 0 && SurvivorTookOver
        && Database.IntegrityCheck == "ok" && UnexpectedAnswers.Count == 0 && ExitedByItself == 0 && StoppedGracefully && Acknowledged > 0
        && Database.WrongResults.Count == 0 && Database.Flows.Violations.Count == 0 && (!Options.Flows || Database.Flows.Flows > 0);

    public void WriteSummary(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var culture = CultureInfo.InvariantCulture;
        var leases = Database.Leases;
        var processes = Options.Processes == 1 ? "1 process" : $"{Options.Processes} processes on one database";
        var work = Options.Flows ? $"flows ({CrashFlow.Path})" : "scripts";
        output.WriteLine(string.Create(culture, $"Crash test: {Options.Trials} trials, {processes}, {work}, {Kills} SIGKILLs ({KillsWhileStarting} while starting), seed {Options.Seed}, {Options.Clients} clients, {Elapsed.TotalSeconds:F0} s"));
        output.WriteLine(string.Create(culture, $"  acknowledged jobs:     {Acknowledged} ({AsyncAcknowledged} async: 201 with the job id; {SyncAcknowledged} sync: 200 with the result, job found by its nonce)"));
        output.WriteLine(string.Create(culture, $"  interrupted requests:  {Interrupted} (cut short by a kill; not acknowledged)"));
        output.WriteLine(string.Create(culture, $"  jobs in the database:  {Database.Jobs} ({Database.Succeeded} success, {Database.GaveUpAtRestartLimit} failed at the restart limit, {Database.OtherwiseFailed} failed otherwise, {Database.LeftUnfinished} left queued or running)"));
        output.WriteLine(string.Create(culture, $"  lost jobs:             {Database.Lost.Count} (acknowledged, but no job row or no jobs.run.script / jobs.run.flow audit entry)"));
        output.WriteLine(string.Create(culture, $"  jobs without audit:    {Database.WithoutAuditEntry.Count} (any webhook's job, acknowledged or not, without its jobs.run.script / jobs.run.flow audit entry; flow steps have none)"));
        output.WriteLine(string.Create(culture, $"  acknowledged, not completed: {Database.AcknowledgedNotCompleted.Count}"));
        if (Options.Flows)
        {
            var flows = Database.Flows;
            output.WriteLine(string.Create(culture, $"  flows:                 {flows.Flows} flow jobs ({flows.Succeeded} success), {flows.StepJobs} step jobs; wrong results: {Database.WrongResults.Count} (acknowledged async flows checked against their expected result)"));
            output.WriteLine(string.Create(culture, $"  caught mid-flow:       {flows.CaughtMidFlow} flows killed after a step had succeeded and before they completed ({flows.StepsDoneAtAKill} steps already done then)"));
            output.WriteLine(string.Create(culture, $"  run again after crash: {flows.StepJobsRunAgainAfterCrash} step jobs (running when killed: allowed), {flows.FlowJobsRunAgainAfterCrash} flow jobs (advancing when killed)"));
            output.WriteLine(string.Create(culture, $"  steps run again after they succeeded: {flows.Violations.Count} violations (a step leased again after its success, a step with a second job, a flow succeeded without each step once)"));
        }

        output.WriteLine(string.Create(culture, $"  duplicates:            {Database.RunAgainAfterCrash} jobs started more than once (restart_count > 0; {Database.AcknowledgedRunAgainAfterCrash} of them acknowledged)"));
        output.WriteLine(string.Create(culture, $"  leases:                {leases.Leases} taken, {leases.Reclaimed} reclaimed after they expired ({leases.TakenOverBySurvivor} then ran in a process that survived the kill, {leases.TakenOverByLaterStart} in one started after it), {leases.Released} released, {leases.Suspended} suspended (flows on their steps), {leases.ReclaimedFromLiveProcess.Count} expired in a live process"));
        if (!SurvivorTookOver)
        {
            output.WriteLine("  ! no job of a killed process ran in the process that survived it");
        }

        output.WriteLine(string.Create(culture, $"  exactly once per lease: {leases.Violations.Count} violations (a lease taken while held, a second completion, a change after completion, a reclaim before expiry, a completion after its process was killed, leases ≠ restart_count + 1 + releases + suspensions)"));
        output.WriteLine(string.Create(culture, $"  unexpected answers:    {UnexpectedAnswers.Count}; exited by itself: {ExitedByItself}; stopped on SIGTERM: {(StoppedGracefully ? "yes" : "no")}"));
        output.WriteLine($"  integrity_check:       {Database.IntegrityCheck}");
        foreach (var problem in Database.Lost.Concat(Database.WithoutAuditEntry).Concat(Database.AcknowledgedNotCompleted).Concat(Database.WrongResults)
                     .Concat(Database.Flows.Violations).Concat(leases.Violations)
                     .Concat(UnexpectedAnswers).Take(20))
        {
            output.WriteLine($"  ! {problem}");
        }

        foreach (var expired in leases.ReclaimedFromLiveProcess.Take(5))
        {
            output.WriteLine($"  (allowed) {expired}");
        }

        if (KeptWorkDirectory is not null)
        {
            output.WriteLine($"  work folder kept: {KeptWorkDirectory}");
        }

        output.WriteLine(Passed ? "PASS" : "FAIL");
    }
}
