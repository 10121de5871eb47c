using System.Text.Json;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Jobs;

/// <summary>
/// A request to run something; <see cref="IJobRunner.EnqueueAsync"/> turns it into a <see cref="Job"/>.
/// What runs (the runnable), with what, for whom; how it is scheduled is in <see cref="Options"/>.
/// </summary>
public sealed record NewJob
{
    /// <summary>The workspace.</summary>
    public required string Workspace { get; init; }

    /// <summary>The kind of runnable, which with <see cref="Language"/> chooses the executor.</summary>
    public JobKind Kind { get; init; } = JobKind.Script;

    /// <summary>The runnable's path.</summary>
    public required string ScriptPath { get; init; }

    /// <summary>The exact version that runs.</summary>
    public required ScriptHash ScriptHash { get; init; }

    /// <summary>The runnable's language.</summary>
    public string? Language { get; init; }

    /// <summary>The inline code of a <see cref="JobKind.FlowScript"/> or <see cref="JobKind.Preview"/> job (Windmill's <c>rawscript</c>).</summary>
    public string? RawCode { get; init; }

    /// <summary>The arguments, a JSON object.</summary>
    public required JsonElement Args { get; init; }

    /// <summary>The user (or token label) the job is shown as created by.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>Whose rights the job runs with, as <c>u/&lt;user&gt;</c>.</summary>
    public required string PermissionedAs { get; init; }

    /// <summary>What triggered the job, such as <c>webhook</c>.</summary>
    public string? TriggerKind { get; init; }

    /// <summary>
    /// The user whose trigger is audited (<c>jobs.run.script</c>, <c>jobs.run.flow</c>, …) in the same commit as
    /// the job; <see langword="null"/> writes no audit entry (a flow's steps, say).
    /// </summary>
    public string? TriggeredBy { get; init; }

    /// <summary>Id, schedule, parent, tag and visibility.</summary>
    public JobOptions Options { get; init; } = JobOptions.None;
}
