using System.Text.Json;
using System.Text.Json.Nodes;

namespace Windmill.Webhooks.Execution;

/// <summary>Builds job results in Windmill's error shape.</summary>
internal static class JobErrors
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonElement Create(string name, string message, string? stack = null, IEnumerable<KeyValuePair<string, string?>>? extra = null)
    {
        var error = new JsonObject { ["name"] = name, ["message"] = message };
        if (stack is not null)
        {
            error["stack"] = stack;
        }

        foreach (var (key, value) in extra ?? [])
        {
            error[key] = value;
        }

        return JsonSerializer.SerializeToElement(new JsonObject { ["error"] = error }, Relaxed);
    }

    // Windmill's worker kills the job and reports an ExecutionErr (windmill-worker handle_child.rs, KillReason::Timeout).
    public static JsonElement TimedOut(bool jobSpecific) =>
        Create("ExecutionErr", "job process terminated due to timeout after exceeding "
            + (jobSpecific ? "job-specific duration limit" : "instance-wide job duration limit"));

    public static JsonElement Canceled(string canceledBy, string? reason) =>
        Create("Canceled", $"Job canceled: {reason ?? "no reason given"} by {canceledBy}", extra:
            [new("reason", reason), new("canceler", canceledBy)]);
}
