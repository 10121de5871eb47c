using System.Text.Json;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Jobs;

/// <summary>A job: one run of one script version, from acceptance to its result.</summary>
public sealed record Job
{
    /// <summary>The time-ordered id.</summary>
    public required Guid Id { get; init; }

    /// <summary>The workspace.</summary>
    public required string Workspace { get; init; }

    /// <summary>What runs.</summary>
    public JobKind Kind { get; init; } = JobKind.Script;

    /// <summary>The runnable's path.</summary>
    public required string ScriptPath { get; init; }

    /// <summary>The exact version that runs.</summary>
    public required ScriptHash ScriptHash { get; init; }

    /// <summary>The runnable's language.</summary>
    public string? Language { get; init; }

    /// <summary>The arguments, a JSON object.</summary>
    public required JsonElement Args { get; init; }

    /// <summary>The user (or token label) the job is shown as created by.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>Whose rights the job runs with.</summary>
    public required string PermissionedAs { get; init; }

    /// <summary>When the job was accepted.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the job may start.</summary>
    public required DateTimeOffset ScheduledFor { get; init; }

    /// <summary>When a worker last started it.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it completed.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The current status.</summary>
    public JobStatus Status { get; init; } = JobStatus.Queued;

    /// <summary>The result on success, or <c>{"error": {...}}</c> on failure and cancel.</summary>
    public JsonElement? Result { get; init; }

    /// <summary>What the script logged.</summary>
    public string? Logs { get; init; }

    /// <summary>A parent job, if any.</summary>
    public Guid? ParentJob { get; init; }

    /// <summary>What triggered the job, such as <c>webhook</c>.</summary>
    public string? TriggerKind { get; init; }

    /// <summary>The worker tag.</summary>
    public string Tag { get; init; } = "default";

    /// <summary>Who canceled the job, if anyone.</summary>
    public string? CanceledBy { get; init; }

    /// <summary>Why the job was canceled.</summary>
    public string? CanceledReason { get; init; }

    /// <summary>The root flow job, if any.</summary>
    public Guid? RootJob { get; init; }

    /// <summary>Whether the runnable's owner may see the job.</summary>
    public bool VisibleToOwner { get; init; } = true;

    /// <summary>How many times the job was re-queued after the process stopped while it ran.</summary>
    public int RestartCount { get; init; }

    /// <summary>Whether the job has reached a final status.</summary>
    public bool IsCompleted => Status.IsCompleted();

    /// <summary>
    /// The job's own time limit (its script's, or the run's <c>timeout</c> option), if shorter than the instance's
    /// <see cref="WindmillWebhooksOptions.JobTimeout"/>, which always applies too.
    /// </summary>
    public TimeSpan? Timeout { get; init; }
}
