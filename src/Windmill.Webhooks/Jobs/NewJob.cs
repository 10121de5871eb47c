using System.Text.Json;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Jobs;

/// <summary>A request to run a script version; <see cref="IJobRunner.EnqueueAsync"/> turns it into a <see cref="Job"/>.</summary>
public sealed record NewJob
{
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

    /// <summary>Whose rights the job runs with, as <c>u/&lt;user&gt;</c>.</summary>
    public required string PermissionedAs { get; init; }

    /// <summary>The id to use; a new time-ordered id when <see langword="null"/>.</summary>
    public Guid? Id { get; init; }

    /// <summary>A parent job, if any.</summary>
    public Guid? ParentJob { get; init; }

    /// <summary>What triggered the job, such as <c>webhook</c>.</summary>
    public string? TriggerKind { get; init; }

    /// <summary>The worker tag.</summary>
    public string Tag { get; init; } = "default";

    /// <summary>When the job may start; <see langword="null"/> or a past instant means at once.</summary>
    public DateTimeOffset? ScheduledFor { get; init; }

    /// <summary>The root flow job, if any.</summary>
    public Guid? RootJob { get; init; }

    /// <summary>Whether the runnable's owner may see the job (Windmill's <c>invisible_to_owner</c>, inverted).</summary>
    public bool VisibleToOwner { get; init; } = true;

    /// <summary>
    /// The job's own time limit; it can only shorten the instance's <see cref="WindmillWebhooksOptions.JobTimeout"/>.
    /// <see langword="null"/>: the instance's limit.
    /// </summary>
    public TimeSpan? Timeout { get; init; }
}
