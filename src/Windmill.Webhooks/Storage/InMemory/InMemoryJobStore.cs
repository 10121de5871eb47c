using System.Text.Json;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.Storage.InMemory;

/// <summary>
/// The in-memory <see cref="IJobStore"/>: for tests and demos, and for several runners in one process.
/// Each member is atomic under one lock; nothing survives the process.
/// </summary>
public sealed class InMemoryJobStore : IJobStore
{
    private readonly Dictionary<Guid, Entry> _jobs = [];
    private readonly Lock _lock = new();
    private readonly InMemoryAuditSink? _audit;

    /// <summary>Creates an empty store; given <paramref name="audit"/>, trigger entries are written to it atomically with their job.</summary>
    public InMemoryJobStore(InMemoryAuditSink? audit = null) => _audit = audit;

    /// <inheritdoc />
    public bool CommitsWith(IAuditSink audit) => _audit is not null && ReferenceEquals(audit, _audit);

    /// <inheritdoc />
    public ValueTask EnqueueAsync(Job job, JobLease? lease, AuditEntry? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_lock)
        {
            var stored = lease is null ? job with { Status = JobStatus.Queued, StartedAt = null } : job with { Status = JobStatus.Running };
            if (!_jobs.TryAdd(job.Id, new Entry(stored, lease)))
            {
                throw new DuplicateJobIdException(job.Id);
            }

            if (audit is not null)
            {
                _audit?.Append(audit);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<Job>> ClaimAsync(JobLease lease, int max, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var claimed = _jobs.Values
                .Select(e => e.Job)
                .Where(j => j.Status == JobStatus.Queued && j.PendingChildren == 0 && j.ScheduledFor <= now)
                .OrderBy(j => j.ScheduledFor).ThenBy(j => j.Id)
                .Take(max)
                .Select(j => j with { Status = JobStatus.Running, StartedAt = now })
                .ToList();
            foreach (var job in claimed)
            {
                _jobs[job.Id] = new Entry(job, lease);
            }

            return ValueTask.FromResult<IReadOnlyList<Job>>(claimed);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<Guid>> RenewAsync(JobLease lease, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(ids);
        lock (_lock)
        {
            var lost = new List<Guid>();
            foreach (var id in ids)
            {
                if (Held(id, lease.Owner) is { } entry)
                {
                    _jobs[id] = entry with { Lease = lease };
                }
                else
                {
                    lost.Add(id);
                }
            }

            return ValueTask.FromResult<IReadOnlyList<Guid>>(lost);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<bool>> CompleteAsync(string owner, IReadOnlyList<JobCompletion> completions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completions);
        lock (_lock)
        {
            var applied = new bool[completions.Count];
            for (var i = 0; i < completions.Count; i++)
            {
                if (Held(completions[i].Id, owner) is { } entry)
                {
                    _jobs[entry.Job.Id] = new Entry(completions[i].Apply(entry.Job), null);
                    ResumeParent(completions[i].ResumesParent);
                    applied[i] = true;
                }
            }

            return ValueTask.FromResult<IReadOnlyList<bool>>(applied);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> SuspendAsync(string owner, Guid id, JsonElement? flowStatus, IReadOnlyList<Job> children, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(children);
        lock (_lock)
        {
            if (Held(id, owner) is not { } entry)
            {
                return ValueTask.FromResult(false);
            }

            if (children.FirstOrDefault(c => _jobs.ContainsKey(c.Id)) is { } duplicate)
            {
                throw new DuplicateJobIdException(duplicate.Id);
            }

            _jobs[id] = new Entry(entry.Job with
            {
                Status = JobStatus.Queued,
                StartedAt = null,
                PendingChildren = children.Count,
                FlowStatus = flowStatus?.Clone() ?? entry.Job.FlowStatus,
            }, null);
            foreach (var child in children)
            {
                _jobs[child.Id] = new Entry(child with { Status = JobStatus.Queued }, null);
            }

            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask ReleaseAsync(string owner, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        lock (_lock)
        {
            foreach (var id in ids)
            {
                if (Held(id, owner) is { } entry)
                {
                    _jobs[id] = new Entry(entry.Job with { Status = JobStatus.Queued, StartedAt = null }, null);
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<ReclaimedJobs> ReclaimExpiredAsync(DateTimeOffset now, int maxRestarts, JsonElement restartLimitError,
        CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var expired = _jobs.Values.Where(e => e.Job.Status == JobStatus.Running && e.Lease?.Until < now).ToList();
            var failed = new List<Job>();
            foreach (var entry in expired)
            {
                var job = entry.Job;
                if (job.RestartCount >= maxRestarts)
                {
                    var completed = job with { Status = JobStatus.Failure, Result = restartLimitError, CompletedAt = now };
                    _jobs[job.Id] = new Entry(completed, null);
                    ResumeParent(job.IsFlowStep ? job.ParentJob : null);
                    failed.Add(completed);
                }
                else
                {
                    _jobs[job.Id] = new Entry(job with { Status = JobStatus.Queued, StartedAt = null, RestartCount = job.RestartCount + 1 }, null);
                }
            }

            return ValueTask.FromResult(new ReclaimedJobs(expired.Count - failed.Count, failed));
        }
    }

    /// <inheritdoc />
    public ValueTask<Job?> CancelAsync(JobCompletion cancellation, AuditEntry? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cancellation);
        lock (_lock)
        {
            if (!_jobs.TryGetValue(cancellation.Id, out var entry) || entry.Job.IsCompleted)
            {
                return ValueTask.FromResult<Job?>(null);
            }

            var canceled = cancellation.Apply(entry.Job);
            _jobs[canceled.Id] = new Entry(canceled, null);
            ResumeParent(cancellation.ResumesParent);
            if (audit is not null)
            {
                _audit?.Append(audit);
            }

            return ValueTask.FromResult<Job?>(canceled);
        }
    }

    /// <inheritdoc />
    public ValueTask<DateTimeOffset?> NextScheduledAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var next = _jobs.Values.Select(e => e.Job)
                .Where(j => j.Status == JobStatus.Queued && j.PendingChildren == 0 && j.ScheduledFor > now)
                .Select(j => (DateTimeOffset?)j.ScheduledFor)
                .Min();
            return ValueTask.FromResult(next);
        }
    }

    /// <inheritdoc />
    public ValueTask<Job?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_jobs.GetValueOrDefault(id)?.Job);
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<Job> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            var matching = _jobs.Values.Select(e => e.Job).Where(query.Matches);
            var ordered = query.OldestFirst
                ? matching.OrderBy(j => j.CreatedAt).ThenBy(j => j.Id)
                : matching.OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id);
            // The page is a list of references to jobs already in memory; each is shaped only as it is read.
            return ordered.Skip(query.Offset).Take(query.Limit).ToList().ToAsyncEnumerable().Select(query.Shape);
        }
    }

    /// <inheritdoc />
    public ValueTask<long> CountAsync(JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            return ValueTask.FromResult((long)_jobs.Values.Count(e => query.Matches(e.Job)));
        }
    }

    private Entry? Held(Guid id, string owner) =>
        _jobs.TryGetValue(id, out var entry) && entry.Job.Status == JobStatus.Running && entry.Lease?.Owner == owner ? entry : null;

    private void ResumeParent(Guid? parent)
    {
        if (parent is { } id && _jobs.TryGetValue(id, out var entry) && entry.Job.PendingChildren > 0)
        {
            _jobs[id] = entry with { Job = entry.Job with { PendingChildren = entry.Job.PendingChildren - 1 } };
        }
    }

    private sealed record Entry(Job Job, JobLease? Lease);
}
