using Windmill.Webhooks.CrashTest;

namespace Windmill.Webhooks.Reliability.Tests;

/// <summary>
/// The crash tool's flow checks can fail: a step run again after it succeeded, a step with a second job, and a flow that
/// succeeded without each step, are found in histories written by hand; a suspension is not taken for a release.
/// </summary>
public sealed class FlowVerifierTests
{
    private const string Dead = "vm/100/a"; // killed at T0 + 2 s
    private const string LaterStart = "vm/300/c"; // started at T0 + 3 s

    private static readonly DateTimeOffset T0 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Flow = Guid.Parse("01970000-0000-7000-8000-0000000000f0");
    private static readonly Guid StepA = Guid.Parse("01970000-0000-7000-8000-0000000000a1");
    private static readonly Guid StepB = Guid.Parse("01970000-0000-7000-8000-0000000000b1");
    private static readonly Guid StepC = Guid.Parse("01970000-0000-7000-8000-0000000000c1");
    private static readonly Guid SecondStepA = Guid.Parse("01970000-0000-7000-8000-0000000000a2");

    private static readonly SampleLifetime[] Lifetimes =
    [
        new(100, T0, KilledAt: T0.AddSeconds(2)),
        new(300, T0.AddSeconds(3)),
    ];

    [Fact]
    public void A_flow_killed_after_its_first_step_whose_running_step_ran_again_holds()
    {
        var findings = FlowVerifier.Verify(KilledDuringStepB(), Jobs(Job(StepA, "u/bot/hello_world"), Job(StepB, "u/bot/sleep", restartCount: 1),
            Job(StepC, "u/bot/echo")), Lifetimes, CrashFlow.StepScripts);

        Assert.Empty(findings.Violations);
        Assert.Equal((1, 1, 3, 1, 1, 1), (findings.Flows, findings.Succeeded, findings.StepJobs, findings.StepJobsRunAgainAfterCrash,
            findings.CaughtMidFlow, findings.StepsDoneAtAKill));
    }

    [Fact]
    public void A_second_job_for_a_step_that_had_succeeded_is_a_violation()
    {
        var transitions = KilledDuringStepB();
        transitions.InsertRange(7,
        [
            new(SecondStepA, null, "queued", null, null, null, 0, T0.AddSeconds(4.1)),
            new(SecondStepA, "queued", "running", null, LaterStart, null, 0, T0.AddSeconds(4.2)),
            new(SecondStepA, "running", "success", LaterStart, null, T0.AddSeconds(9), 0, T0.AddSeconds(4.3)),
        ]);

        var violations = FlowVerifier.Verify(transitions, Jobs(Job(StepA, "u/bot/hello_world"), Job(SecondStepA, "u/bot/hello_world"),
            Job(StepB, "u/bot/sleep", restartCount: 1), Job(StepC, "u/bot/echo")), Lifetimes, CrashFlow.StepScripts).Violations;

        Assert.Contains(violations, v => v.Contains("step u/bot/hello_world has 2 jobs", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains($"step u/bot/hello_world ran again (job {SecondStepA} leased by {LaterStart}", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("its step u/bot/hello_world did not succeed exactly once", StringComparison.Ordinal));
    }

    [Fact]
    public void A_flow_that_succeeded_without_one_of_its_steps_is_a_violation()
    {
        var transitions = KilledDuringStepB().Where(t => t.JobId != StepC).ToList();

        var violation = Assert.Single(FlowVerifier.Verify(transitions, Jobs(Job(StepA, "u/bot/hello_world"), Job(StepB, "u/bot/sleep", restartCount: 1)),
            Lifetimes, CrashFlow.StepScripts).Violations);

        Assert.Equal($"flow {Flow}: succeeded, but its step u/bot/echo did not succeed exactly once", violation);
    }

    [Fact]
    public void A_flow_job_s_suspensions_count_as_suspensions_not_releases_and_keep_the_lease_arithmetic()
    {
        var flowHistory = KilledDuringStepB().Where(t => t.JobId == Flow).ToList();
        var flow = new StoredJob(Flow, "success", 0, Nonce: null, ErrorName: null, LeaseOwner: null) { Kind = "flow" };

        var findings = LeaseVerifier.Verify(flowHistory, new Dictionary<Guid, StoredJob> { [Flow] = flow }, Lifetimes);
        var asReleases = LeaseVerifier.Verify(flowHistory.ConvertAll(t => t with { PendingChildren = 0 }),
            new Dictionary<Guid, StoredJob> { [Flow] = flow }, Lifetimes);

        Assert.Empty(findings.Violations);
        Assert.Equal((4, 3, 0), (findings.Leases, findings.Suspended, findings.Released));
        Assert.Equal((0, 3), (asReleases.Suspended, asReleases.Released));
    }

    // Flow inserted claimed; suspends on a (done), then on b; b's lease dies with its process at T0 + 2 s, is reclaimed after it
    // expired and runs again in a later start; the flow takes b's result, suspends on c, and succeeds.
    private static List<JobTransition> KilledDuringStepB() =>
    [
        new(Flow, null, "running", null, Dead, null, 0, T0.AddSeconds(0.1)),
        new(Flow, "running", "queued", Dead, null, T0.AddSeconds(5), 0, T0.AddSeconds(0.2), PendingChildren: 1),
        new(StepA, null, "queued", null, null, null, 0, T0.AddSeconds(0.2)),
        new(StepA, "queued", "running", null, Dead, null, 0, T0.AddSeconds(0.3)),
        new(StepA, "running", "success", Dead, null, T0.AddSeconds(5.3), 0, T0.AddSeconds(0.4)),
        new(Flow, "queued", "running", null, Dead, null, 0, T0.AddSeconds(0.5)),
        new(Flow, "running", "queued", Dead, null, T0.AddSeconds(5.5), 0, T0.AddSeconds(0.6), PendingChildren: 1),
        new(StepB, null, "queued", null, null, null, 0, T0.AddSeconds(0.6)),
        new(StepB, "queued", "running", null, Dead, null, 0, T0.AddSeconds(0.7)),
        new(StepB, "running", "queued", Dead, null, T0.AddSeconds(5.7), 1, T0.AddSeconds(6)),
        new(StepB, "queued", "running", null, LaterStart, null, 1, T0.AddSeconds(6.1)),
        new(StepB, "running", "success", LaterStart, null, T0.AddSeconds(11), 1, T0.AddSeconds(6.2)),
        new(Flow, "queued", "running", null, LaterStart, null, 0, T0.AddSeconds(6.3)),
        new(Flow, "running", "queued", LaterStart, null, T0.AddSeconds(11), 0, T0.AddSeconds(6.4), PendingChildren: 1),
        new(StepC, null, "queued", null, null, null, 0, T0.AddSeconds(6.4)),
        new(StepC, "queued", "running", null, LaterStart, null, 0, T0.AddSeconds(6.5)),
        new(StepC, "running", "success", LaterStart, null, T0.AddSeconds(11), 0, T0.AddSeconds(6.6)),
        new(Flow, "queued", "running", null, LaterStart, null, 0, T0.AddSeconds(6.7)),
        new(Flow, "running", "success", LaterStart, null, T0.AddSeconds(11), 0, T0.AddSeconds(6.8)),
    ];

    private static StoredJob Job(Guid id, string script, int restartCount = 0) =>
        new(id, "success", restartCount, Nonce: null, ErrorName: null, LeaseOwner: null) { ParentJob = Flow, ScriptPath = script };

    private static Dictionary<Guid, StoredJob> Jobs(params StoredJob[] steps)
    {
        var jobs = steps.ToDictionary(job => job.Id);
        jobs[Flow] = new StoredJob(Flow, "success", 0, Nonce: null, ErrorName: null, LeaseOwner: null) { Kind = "flow", ScriptPath = CrashFlow.Path };
        return jobs;
    }
}
