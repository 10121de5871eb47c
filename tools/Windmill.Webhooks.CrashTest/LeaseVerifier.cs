namespace Windmill.Webhooks.CrashTest;

/// <summary>
/// Replays each job's recorded transitions (<see cref="JobTransitions"/>) as a sequence of leases and checks that
/// it completed exactly once per lease: a lease begins when the job becomes running (claimed, or stored already
/// claimed) and ends exactly once, by the job's one completion, by a reclaim after it expired (back to the queue
/// with one more restart, or failed at the restart limit), by a release at a graceful stop, or by a flow job's suspension
/// (back to the queue until its step jobs complete, then claimed again like any queued job); a running job
/// never changes holder without going back through the queue, nothing changes a completed job, and a process
/// completes nothing after it was killed.
/// </summary>
internal static class LeaseVerifier
{
    private const string RestartLimitReached = "RestartLimitReached";

    // SQLite's clock in the triggers reads milliseconds; leases and kills are compared with this much slack.
    private static readonly TimeSpan ClockSlack = TimeSpan.FromMilliseconds(2);

    public static LeaseFindings Verify(IReadOnlyList<JobTransition> transitions, IReadOnlyDictionary<Guid, StoredJob> jobs,
        IReadOnlyList<SampleLifetime> lifetimes)
    {
        var findings = new Tally(lifetimes);
        var histories = transitions.GroupBy(t => t.JobId).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var job in jobs.Values)
        {
            if (!histories.TryGetValue(job.Id, out var history))
            {
                findings.Violation(job.Id, "no recorded transition (the job was written before the triggers were installed?)");
                continue;
            }

            Replay(job, history, findings);
        }

        return findings.ToFindings();
    }

    private static void Replay(StoredJob job, List<JobTransition> history, Tally findings)
    {
        var leases = 0;
        var releases = 0;
        var suspensions = 0;
        var completions = 0;
        var restartCount = 0;
        JobTransition? reclaimed = null; // the last reclaim, until the job's next lease says where it went
        if (history[0].OldStatus is not null)
        {
            findings.Violation(job.Id, $"history starts with {history[0].OldStatus} → {history[0].NewStatus}, not with its insert");
        }

        foreach (var t in history)
        {
            if (t.RestartCount < restartCount)
            {
                findings.Violation(job.Id, $"restart_count went down from {restartCount} to {t.RestartCount}");
            }

            if (IsCompleted(t.OldStatus))
            {
                findings.Violation(job.Id, $"changed after it completed: {t.OldStatus} → {t.NewStatus} at {t.At:O}");
            }
            else if (t is { OldStatus: "running", NewStatus: "running" })
            {
                findings.Violation(job.Id, $"lease passed from {t.OldOwner} to {t.NewOwner} while held, not through the queue, at {t.At:O}");
            }
            else if (t.NewStatus == "running")
            {
                leases++;
                if (reclaimed is not null)
                {
                    findings.TakenOver(reclaimed, t);
                    reclaimed = null;
                }
            }
            else if (t is { OldStatus: "running", NewStatus: "queued" } && t.RestartCount == restartCount + 1
                || t is { OldStatus: "running" } && IsCompleted(t.NewStatus) && job.ErrorName == RestartLimitReached)
            {
                findings.Reclaim(t);
                reclaimed = t.NewStatus == "queued" ? t : null;
                completions += t.NewStatus == "queued" ? 0 : 1;
            }
            else if (t is { OldStatus: "running", NewStatus: "queued", PendingChildren: > 0 })
            {
                suspensions++;
            }
            else if (t is { OldStatus: "running", NewStatus: "queued" })
            {
                releases++;
            }
            else if (IsCompleted(t.NewStatus))
            {
                completions++;
                findings.Completion(t);
            }

            restartCount = t.RestartCount;
        }

        var last = history[^1];
        if (last.NewStatus != job.Status || restartCount != job.RestartCount)
        {
            findings.Violation(job.Id, $"the recorded history ends {last.NewStatus} (restart {restartCount}), the row is {job.Status} (restart {job.RestartCount})");
        }

        if (IsCompleted(job.Status))
        {
            if (completions != 1)
            {
                findings.Violation(job.Id, $"completed {completions} times");
            }

            if (leases != job.RestartCount + 1 + releases + suspensions)
            {
                findings.Violation(job.Id, $"{leases} leases, but restart_count {job.RestartCount}, {releases} releases and {suspensions} suspensions");
            }

            if (job.LeaseOwner is not null)
            {
                findings.Violation(job.Id, $"{job.Status}, still leased to {job.LeaseOwner}");
            }
        }

        findings.Leases += leases;
        findings.Releases += releases;
        findings.Suspensions += suspensions;
    }

    private static bool IsCompleted(string? status) => status is "success" or "failure" or "canceled";

    /// <summary>What the replay finds, job by job.</summary>
    private sealed class Tally(IReadOnlyList<SampleLifetime> lifetimes)
    {
        private readonly List<string> _violations = [];
        private readonly List<string> _reclaimedFromLive = [];
        private int _reclaims;
        private int _bySurvivor;
        private int _byLaterStart;

        public int Leases { get; set; }

        public int Releases { get; set; }

        public int Suspensions { get; set; }

        public void Violation(Guid job, string what) => _violations.Add($"job {job}: {what}");

        public void Reclaim(JobTransition t)
        {
            _reclaims++;
            if (t.OldLeaseUntil is not { } until || t.At + ClockSlack < until)
            {
                Violation(t.JobId, $"reclaimed from {t.OldOwner} at {t.At:O}, before its lease expired ({t.OldLeaseUntil:O})");
            }

            if (LifetimeOf(t.OldOwner, t.At) is { } holder && holder.WasRunningAt(t.At))
            {
                // By design (at-least-once), but only a heartbeat starved for a whole lease gets here: worth seeing.
                _reclaimedFromLive.Add($"job {t.JobId}: lease of live pid {holder.ProcessId} expired at {t.OldLeaseUntil:O}, reclaimed at {t.At:O}");
            }
        }

        // Where a reclaimed job ran next: in a process already running when its holder was killed (the survivor), or one started since.
        public void TakenOver(JobTransition reclaim, JobTransition nextLease)
        {
            var dead = LifetimeOf(reclaim.OldOwner, reclaim.At);
            var next = LifetimeOf(nextLease.NewOwner, nextLease.At);
            if (dead?.KilledAt is not { } killedAt || next is null || next.ProcessId == dead.ProcessId)
            {
                return;
            }

            if (next.StartedAt < killedAt)
            {
                _bySurvivor++;
            }
            else
            {
                _byLaterStart++;
            }
        }

        public void Completion(JobTransition t)
        {
            if (LifetimeOf(t.OldOwner, t.At) is { KilledAt: { } killedAt } holder && t.At > killedAt + ClockSlack)
            {
                Violation(t.JobId, $"completed at {t.At:O} under the lease of pid {holder.ProcessId}, killed at {killedAt:O}");
            }
        }

        public LeaseFindings ToFindings() => new()
        {
            Leases = Leases,
            Reclaimed = _reclaims,
            Released = Releases,
            Suspended = Suspensions,
            TakenOverBySurvivor = _bySurvivor,
            TakenOverByLaterStart = _byLaterStart,
            ReclaimedFromLiveProcess = _reclaimedFromLive,
            Violations = _violations,
        };

        // The start of the sample whose runner wrote this owner and was started by then (a pid may come back in a long run).
        private SampleLifetime? LifetimeOf(string? owner, DateTimeOffset at) =>
            JobTransition.ProcessIdOf(owner) is { } pid ? lifetimes.LastOrDefault(l => l.ProcessId == pid && l.StartedAt <= at) : null;
    }
}

/// <summary>What the lease history shows.</summary>
internal sealed record LeaseFindings
{
    /// <summary>Leases taken: claims, and jobs stored already claimed by an idle worker.</summary>
    public required int Leases { get; init; }

    /// <summary>Leases that expired and were reclaimed: back to the queue with one more restart, or failed at the restart limit.</summary>
    public required int Reclaimed { get; init; }

    /// <summary>Leases given back at a graceful stop (none are expected: the run stops the sample only once it is idle).</summary>
    public required int Released { get; init; }

    /// <summary>Leases that ended with a flow job's suspension on its step jobs (it is claimed again once they complete).</summary>
    public int Suspended { get; init; }

    /// <summary>Reclaimed jobs of a killed process whose next lease went to a process that was already running when it was killed.</summary>
    public required int TakenOverBySurvivor { get; init; }

    /// <summary>Reclaimed jobs of a killed process whose next lease went to a process started after the kill.</summary>
    public required int TakenOverByLaterStart { get; init; }

    /// <summary>Leases that expired while their process still lived (its heartbeat starved for a whole lease); allowed, reported.</summary>
    public required IReadOnlyList<string> ReclaimedFromLiveProcess { get; init; }

    /// <summary>Each break of "exactly once per lease"; any one fails the run.</summary>
    public required IReadOnlyList<string> Violations { get; init; }
}
