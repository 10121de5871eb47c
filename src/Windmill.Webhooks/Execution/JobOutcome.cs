using System.Text.Json;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.Execution;

/// <summary>How a job's execution ended: a result, an error, or a suspension until child jobs complete.</summary>
public sealed record JobOutcome
{
    private JobOutcome(bool succeeded, JsonElement result, string? logs, IReadOnlyList<NewJob>? children)
    {
        Succeeded = succeeded;
        Result = result;
        Logs = logs;
        Children = children;
    }

    /// <summary>Whether the job succeeded.</summary>
    public bool Succeeded { get; }

    /// <summary>The result, or <c>{"error": {...}}</c> on failure.</summary>
    public JsonElement Result { get; }

    /// <summary>What the job logged.</summary>
    public string? Logs { get; }

    /// <summary>
    /// The child jobs a suspended job waits for, or <see langword="null"/> when the job completed. The job
    /// holds no worker while they run, and is executed again once they all completed.
    /// </summary>
    public IReadOnlyList<NewJob>? Children { get; }

    /// <summary>A flow job's progress, stored with the job as its <see cref="Job.FlowStatus"/> (see <see cref="WithFlowStatus"/>).</summary>
    public JsonElement? FlowStatus { get; private init; }

    /// <summary>Whether the job is suspended until <see cref="Children"/> complete.</summary>
    public bool IsSuspended => Children is not null;

    /// <summary>A success with <paramref name="result"/>.</summary>
    public static JobOutcome Success(JsonElement result, string? logs = null) => new(true, result, logs, null);

    /// <summary>A failure with Windmill's error shape <c>{"error": {"name", "message"}}</c>.</summary>
    public static JobOutcome Failure(string name, string message, string? stack = null, string? logs = null) =>
        new(false, JobErrors.Create(name, message, stack), logs, null);

    /// <summary>A failure whose <c>{"error": …}</c> result is already built (the runner's time limit, say).</summary>
    internal static JobOutcome Failure(JsonElement error) => new(false, error, null, null);

    /// <summary>
    /// Suspends the job until <paramref name="children"/> (at least one) complete: they are enqueued as its
    /// steps in the same commit that suspends it, and each one's completion brings it closer to running again.
    /// </summary>
    public static JobOutcome Suspend(IReadOnlyList<NewJob> children, string? logs = null)
    {
        ArgumentNullException.ThrowIfNull(children);
        ArgumentOutOfRangeException.ThrowIfZero(children.Count, nameof(children));
        return new(true, default, logs, children);
    }

    /// <summary>This outcome, with <paramref name="flowStatus"/> to store as the job's <see cref="Job.FlowStatus"/>.</summary>
    public JobOutcome WithFlowStatus(JsonElement flowStatus) => new(Succeeded, Result, Logs, Children) { FlowStatus = flowStatus, EarlyResult = EarlyResult };

    /// <summary>A flow's early result (its <c>early_return</c> step's), handed to synchronous callers once this outcome is committed.</summary>
    internal JsonElement? EarlyResult { get; private init; }

    internal JobOutcome WithEarlyResult(JsonElement result) => new(Succeeded, Result, Logs, Children) { FlowStatus = FlowStatus, EarlyResult = result };
}
