using System.Text.Json;

namespace Windmill.Webhooks.Jobs;

/// <summary>A job: one run of one runnable (a script version, a flow, a flow step or inline code), from acceptance to its result.</summary>
public sealed record Job : JobDefinition
{
    /// <summary>The time-ordered id.</summary>
    public required Guid Id { get; init; }

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

    /// <summary>
    /// The job's own time limit (its script's, or the run's <c>timeout</c> option), if shorter than the instance's
    /// <see cref="WindmillWebhooksOptions.JobTimeout"/>, which always applies too.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Whether the job is a step of its parent flow, which waits for it.</summary>
    public bool IsFlowStep { get; init; }

    /// <summary>How many child jobs a suspended job still waits for; it is not claimed before this is 0.</summary>
    public int PendingChildren { get; init; }

    /// <summary>How many times the job was re-queued after the runner holding it died (its lease expired).</summary>
    public int RestartCount { get; init; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the trace that enqueued the job, so that its run is linked to the request that
    /// created it, even when it runs later, after a restart or in another process.
    /// </summary>
    public string? TraceParent { get; init; }

    /// <summary>
    /// A flow job's progress in Windmill's <c>flow_status</c> shape: the step it is at, and each module's state and job. The
    /// flow engine writes it each time the flow suspends and when it completes; it is how a flow goes on after a restart.
    /// </summary>
    public JsonElement? FlowStatus { get; init; }

    /// <summary>Whether the job has reached a final status.</summary>
    public bool IsCompleted => Status.IsCompleted();

    /// <summary>
    /// Whether <paramref name="username"/>, not an admin, may see the job, by Windmill's row-level security on jobs:
    /// the job runs with the user's rights (<c>u/&lt;user&gt;</c>), or it runs one of the user's own scripts
    /// (<c>u/&lt;user&gt;/…</c>) and was not started invisible to its owner. Who the job shows as created by does
    /// not count: a token's label can make that any name.
    /// </summary>
    public bool IsVisibleTo(string username)
    {
        ArgumentNullException.ThrowIfNull(username);
        return PermissionedAs == "u/" + username
            || (VisibleToOwner && Runnable.Path.StartsWith("u/" + username + "/", StringComparison.Ordinal));
    }
}
