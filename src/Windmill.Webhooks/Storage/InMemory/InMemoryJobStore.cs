using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.Storage.InMemory;

/// <summary>The in-memory persistence of <see cref="LocalJobRunner"/>.</summary>
internal sealed class InMemoryJobStore : IJobStore
{
    private readonly Dictionary<Guid, Job> _jobs = [];
    private readonly Lock _lock = new();

    public ValueTask InsertAsync(Job job, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_jobs.TryAdd(job.Id, job))
            {
                throw new DuplicateJobIdException(job.Id);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<Job?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_jobs.GetValueOrDefault(id));
        }
    }

    public ValueTask<Job?> MarkRunningAsync(Guid id, DateTimeOffset startedAt, CancellationToken cancellationToken) =>
        Update(id, job => job.Status == JobStatus.Queued ? job with { Status = JobStatus.Running, StartedAt = startedAt } : null);

    public async ValueTask RequeueAsync(Guid id, CancellationToken cancellationToken) =>
        await Update(id, job => job.Status == JobStatus.Running ? job with { Status = JobStatus.Queued, StartedAt = null } : null).ConfigureAwait(false);

    public ValueTask<Job?> CompleteAsync(Guid id, JobCompletion completion, CancellationToken cancellationToken) =>
        Update(id, job => job.IsCompleted ? null : job with
        {
            Status = completion.Status,
            Result = completion.Result,
            Logs = completion.Logs,
            CompletedAt = completion.CompletedAt,
            CanceledBy = completion.CanceledBy,
            CanceledReason = completion.CanceledReason,
        });

    public ValueTask<IReadOnlyList<Job>> RecoverAsync(int maxRestarts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Nothing survives a restart in memory; only jobs queued before the runner started are resumed.
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<Job>>(
                _jobs.Values.Where(j => j.Status == JobStatus.Queued).OrderBy(j => j.CreatedAt).ThenBy(j => j.Id).ToList());
        }
    }

    public IAsyncEnumerable<Job> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            var matching = _jobs.Values.Where(query.Matches);
            var ordered = query.OldestFirst
                ? matching.OrderBy(j => j.CreatedAt).ThenBy(j => j.Id)
                : matching.OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id);
            // The page is a list of references to jobs already in memory; each is shaped only as it is read.
            return ordered.Skip(query.Offset).Take(query.Limit).ToList().ToAsyncEnumerable().Select(query.Shape);
        }
    }

    public ValueTask<long> CountAsync(JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            return ValueTask.FromResult((long)_jobs.Values.Count(query.Matches));
        }
    }

    private ValueTask<Job?> Update(Guid id, Func<Job, Job?> change)
    {
        lock (_lock)
        {
            if (_jobs.TryGetValue(id, out var job) && change(job) is { } changed)
            {
                _jobs[id] = changed;
                return ValueTask.FromResult<Job?>(changed);
            }

            return ValueTask.FromResult<Job?>(null);
        }
    }
}
