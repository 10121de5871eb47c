namespace Windmill.Webhooks.CrashTest;

/// <summary>
/// Checks the flows' step jobs against their recorded transitions (<see cref="JobTransitions"/>): a flow's step runs as one
/// job, which may run again if a kill caught it running (at-least-once: its lease is reclaimed), but no step runs again once
/// it has succeeded, neither as its own job leased again nor as a new job for the same step; and a flow that succeeded did
/// so with each of its steps succeeding exactly once. A flow's jobs for one step are its child jobs with that step's script
/// (<see cref="CrashFlow"/> runs a different script in each step).
/// </summary>
internal static class FlowVerifier
{
    public static FlowFindings Verify(IReadOnlyList<JobTransition> transitions, IReadOnlyDictionary<Guid, StoredJob> jobs,
        IReadOnlyList<SampleLifetime> lifetimes, IReadOnlyList<string> stepScripts)
    {
        var flows = jobs.Values.Where(job => job is { Kind: "flow", ParentJob: null }).ToList();
        var children = jobs.Values.Where(job => job.ParentJob is not null).ToLookup(job => job.ParentJob!.Value);
        var histories = transitions.GroupBy(t => t.JobId).ToDictionary(g => g.Key, g => g.ToList());
        var order = new Dictionary<JobTransition, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < transitions.Count; i++)
        {
            order[transitions[i]] = i;
        }

        var kills = lifetimes.Where(l => l.KilledAt is not null).Select(l => l.KilledAt!.Value).Order().ToList();
        var violations = new List<string>();
        var caughtMidFlow = 0;
        var stepsDoneAtAKill = 0;
        foreach (var flow in flows)
        {
            var steps = children[flow.Id].ToList();
            var succeededSteps = new List<JobTransition>();
            foreach (var step in steps.GroupBy(job => job.ScriptPath))
            {
                if (step.Count() > 1)
                {
                    violations.Add($"flow {flow.Id}: step {step.Key} has {step.Count()} jobs ({string.Join(", ", step.Select(j => j.Id))}); a step runs as one job");
                }

                // Every transition of the step's jobs, in commit order: after a success, nothing may take a lease for this step again.
                JobTransition? succeeded = null;
                foreach (var t in step.SelectMany(job => histories.GetValueOrDefault(job.Id) ?? []).OrderBy(t => order[t]))
                {
                    if (succeeded is null && t is { NewStatus: "success" } && t.OldStatus != "success")
                    {
                        succeeded = t;
                        succeededSteps.Add(t);
                    }
                    else if (succeeded is not null && t.NewStatus == "running")
                    {
                        violations.Add($"flow {flow.Id}: step {step.Key} ran again (job {t.JobId} leased by {t.NewOwner} at {t.At:O}) after job {succeeded.JobId} succeeded at {succeeded.At:O}");
                    }
                }
            }

            if (flow.Status == "success")
            {
                foreach (var script in stepScripts.Where(script => steps.Count(job => job.ScriptPath == script && job.Status == "success") != 1))
                {
                    violations.Add($"flow {flow.Id}: succeeded, but its step {script} did not succeed exactly once");
                }
            }

            // Caught mid-flow: a kill came after one of its steps had succeeded and before the flow completed.
            var completedAt = histories.GetValueOrDefault(flow.Id)?.FirstOrDefault(t => t.NewStatus is "success" or "failure" or "canceled")?.At;
            var kill = kills.FirstOrDefault(k => succeededSteps.Any(s => s.At < k) && (completedAt is not { } done || done > k));
            if (kill != default)
            {
                caughtMidFlow++;
                stepsDoneAtAKill += succeededSteps.Count(s => s.At < kill);
            }
        }

        var stepJobs = flows.SelectMany(flow => children[flow.Id]).ToList();
        return new FlowFindings
        {
            Flows = flows.Count,
            Succeeded = flows.Count(flow => flow.Status == "success"),
            StepJobs = stepJobs.Count,
            StepJobsRunAgainAfterCrash = stepJobs.Count(job => job.RestartCount > 0),
            FlowJobsRunAgainAfterCrash = flows.Count(flow => flow.RestartCount > 0),
            CaughtMidFlow = caughtMidFlow,
            StepsDoneAtAKill = stepsDoneAtAKill,
            Violations = violations,
        };
    }
}

/// <summary>What the flows' step histories show.</summary>
internal sealed record FlowFindings
{
    /// <summary>Flow jobs started by a webhook.</summary>
    public required int Flows { get; init; }

    public required int Succeeded { get; init; }

    /// <summary>The flows' step jobs.</summary>
    public required int StepJobs { get; init; }

    /// <summary>Step jobs whose lease a kill cut short while they ran, so they ran again (<c>restart_count &gt; 0</c>): allowed, at-least-once.</summary>
    public required int StepJobsRunAgainAfterCrash { get; init; }

    /// <summary>Flow jobs a kill caught while they advanced (between suspensions), so they advanced again from their stored status.</summary>
    public required int FlowJobsRunAgainAfterCrash { get; init; }

    /// <summary>Flows that a kill caught after at least one of their steps had succeeded and before they completed.</summary>
    public required int CaughtMidFlow { get; init; }

    /// <summary>In those flows, the steps that had succeeded before that kill: each must not have run again.</summary>
    public required int StepsDoneAtAKill { get; init; }

    /// <summary>Each step run again after it succeeded, each step with more than one job, each succeeded flow missing a step's success.</summary>
    public required IReadOnlyList<string> Violations { get; init; }
}
