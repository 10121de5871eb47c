using System.Text.Json;

namespace Windmill.Webhooks.Execution;

/// <summary>How a job's execution ended.</summary>
public sealed record JobOutcome
{
    private JobOutcome(bool succeeded, JsonElement result, string? logs)
    {
        Succeeded = succeeded;
        Result = result;
        Logs = logs;
    }

    /// <summary>Whether the job succeeded.</summary>
    public bool Succeeded { get; }

    /// <summary>The result, or <c>{"error": {...}}</c> on failure.</summary>
    public JsonElement Result { get; }

    /// <summary>What the job logged.</summary>
    public string? Logs { get; }

    /// <summary>A success with <paramref name="result"/>.</summary>
    public static JobOutcome Success(JsonElement result, string? logs = null) => new(true, result, logs);

    /// <summary>A failure with Windmill's error shape <c>{"error": {"name", "message"}}</c>.</summary>
    public static JobOutcome Failure(string name, string message, string? stack = null, string? logs = null) =>
        new(false, JobErrors.Create(name, message, stack), logs);
}
