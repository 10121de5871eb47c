using System.Text.Json;

namespace Windmill.Webhooks.Jobs;

/// <summary>How a job ended, as written by <see cref="IJobStore.CompleteAsync"/> and <see cref="IJobStore.CancelAsync"/>.</summary>
/// <param name="Id">The job.</param>
/// <param name="Status">A final status.</param>
/// <param name="Result">The result, or <c>{"error": {...}}</c>.</param>
/// <param name="Logs">What the job logged.</param>
/// <param name="CompletedAt">When it ended.</param>
public sealed record JobCompletion(Guid Id, JobStatus Status, JsonElement Result, string? Logs, DateTimeOffset CompletedAt)
{
    /// <summary>Who canceled the job.</summary>
    public string? CanceledBy { get; init; }

    /// <summary>Why the job was canceled.</summary>
    public string? CanceledReason { get; init; }

    /// <summary>The suspended parent that this job's completion brings one step closer to resuming, if any.</summary>
    public Guid? ResumesParent { get; init; }

    /// <summary>A flow job's final <see cref="Job.FlowStatus"/>; <see langword="null"/> keeps what the store holds.</summary>
    public JsonElement? FlowStatus { get; init; }

    /// <summary>The completed form of <paramref name="job"/>, as the store now holds it.</summary>
    public Job Apply(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job with
        {
            Status = Status,
            Result = Result,
            Logs = Logs,
            CompletedAt = CompletedAt,
            CanceledBy = CanceledBy,
            CanceledReason = CanceledReason,
            FlowStatus = FlowStatus ?? job.FlowStatus,
        };
    }
}
