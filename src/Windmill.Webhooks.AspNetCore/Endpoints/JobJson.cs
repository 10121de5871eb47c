using System.Text.Json;
using System.Text.Json.Serialization;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>Windmill's <c>Job</c> JSON: a <c>QueuedJob</c> or a <c>CompletedJob</c>, told apart by <c>type</c>.</summary>
internal sealed record JobJson
{
    public required string Type { get; init; }
    public required string WorkspaceId { get; init; }
    public required Guid Id { get; init; }
    public Guid? ParentJob { get; init; }
    public required string CreatedBy { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public DateTimeOffset? ScheduledFor { get; init; }
    public Guid? RootJob { get; init; }
    public bool? Running { get; init; }
    public long? DurationMs { get; init; }
    public bool? Success { get; init; }
    public required string ScriptPath { get; init; }
    public required string ScriptHash { get; init; }
    public JsonElement? Args { get; init; }
    public JsonElement? Result { get; init; }
    public string? Logs { get; init; }
    public bool? Deleted { get; init; }
    public required bool Canceled { get; init; }
    public string? CanceledBy { get; init; }
    public string? CanceledReason { get; init; }
    public required string JobKind { get; init; }
    public required string PermissionedAs { get; init; }
    public bool IsFlowStep { get; init; }
    public string? Language { get; init; }
    public bool? IsSkipped { get; init; }
    public required string Email { get; init; }
    public bool VisibleToOwner { get; init; } = true;
    public required string Tag { get; init; }
    public string? TriggerKind { get; init; }
    public JsonElement? RawFlow { get; init; }
    public JsonElement? FlowStatus { get; init; }

    /// <summary>The job as <c>jobs_u/get</c> shows it; lists leave out logs and result, and args unless asked.</summary>
    public static JobJson From(Job job, bool includeLogs = true, bool includeResult = true, bool includeArgs = true)
    {
        var completed = job.IsCompleted;
        return new JobJson
        {
            Type = completed ? "CompletedJob" : "QueuedJob",
            WorkspaceId = job.Workspace,
            Id = job.Id,
            ParentJob = job.ParentJob,
            CreatedBy = job.CreatedBy,
            CreatedAt = job.CreatedAt,
            StartedAt = job.StartedAt,
            CompletedAt = job.CompletedAt,
            ScheduledFor = completed ? null : job.ScheduledFor,
            RootJob = completed ? null : job.RootJob,
            Running = completed ? null : job.Status == JobStatus.Running,
            DurationMs = completed ? Duration(job) : null,
            Success = completed ? job.Status == JobStatus.Success : null,
            ScriptPath = job.Runnable.Path,
            ScriptHash = job.Runnable.Hash.ToString(),
            Args = includeArgs ? job.Args : null,
            Result = completed && includeResult ? job.Result : null,
            Logs = includeLogs ? job.Logs : null,
            Deleted = completed ? false : null,
            Canceled = job.Status == JobStatus.Canceled,
            CanceledBy = job.CanceledBy,
            CanceledReason = job.CanceledReason,
            JobKind = job.Runnable.Kind.ToString().ToLowerInvariant(),
            PermissionedAs = job.PermissionedAs,
            IsFlowStep = job.IsFlowStep,
            Language = job.Runnable.Language,
            IsSkipped = completed ? false : null,
            Email = job.PermissionedAs.StartsWith("u/", StringComparison.Ordinal) ? job.PermissionedAs[2..] : job.PermissionedAs,
            Tag = job.Tag,
            TriggerKind = job.TriggerKind,
            VisibleToOwner = job.VisibleToOwner,
            RawFlow = ParseRawFlow(job),
            FlowStatus = job.FlowStatus,
        };
    }

    // A flow job carries the definition it runs; a stored one parsed when it was created, so it is JSON.
    private static JsonElement? ParseRawFlow(Job job)
    {
        if (job.Runnable is not { Kind: Jobs.JobKind.Flow, RawCode: { } raw })
        {
            return null;
        }

        using var document = JsonDocument.Parse(raw);
        return document.RootElement.Clone();
    }

    /// <summary>From start to completion; 0 for a job canceled before it started.</summary>
    public static long Duration(Job job) =>
        (long)((job.CompletedAt ?? job.CreatedAt) - (job.StartedAt ?? job.CompletedAt ?? job.CreatedAt)).TotalMilliseconds;
}

/// <summary>The answer of <c>jobs_u/completed/get_timing</c>.</summary>
internal sealed record CompletedJobTimingJson(DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, long DurationMs);

/// <summary>The answer of <c>jobs_u/getupdate</c>: what changed since the caller's last look.</summary>
internal sealed record JobUpdateJson(bool? Running, bool Completed, string? NewLogs, int? LogOffset);

/// <summary>The answer of <c>get_result_maybe</c>; every field is written, nulls included.</summary>
internal sealed record ResultMaybeJson(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] bool? Started,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] bool? Success,
    bool Completed,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] JsonElement? Result);
