using System.Text.Json;
using System.Text.Json.Serialization;

namespace Windmill.Webhooks.Flows;

/// <summary>
/// A flow job's progress, stored as its <c>flow_status</c> in Windmill's shape (<c>step</c>, and per module its
/// <c>type</c>, <c>job</c>, <c>flow_jobs</c>, <c>iterator</c>, <c>branch_chosen</c>…), plus what the engine needs to go
/// on after a restart: each finished module's result, and the iterations or branches in flight.
/// </summary>
internal sealed class FlowStatus
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public int Step { get; set; }

    public List<FlowModuleStatus> Modules { get; set; } = [];

    public FlowModuleStatus? FailureModule { get; set; }

    /// <summary>When the next step may start (a step's <c>sleep</c>).</summary>
    public DateTimeOffset? SleepUntil { get; set; }

    /// <summary>The error that sent the flow to its failure module.</summary>
    public JsonElement? Error { get; set; }

    public static FlowStatus Start(FlowDefinition flow) => new()
    {
        Modules = flow.Modules.Select(m => new FlowModuleStatus { Id = m.Id }).ToList(),
        FailureModule = flow.FailureModule is { } failure ? new FlowModuleStatus { Id = failure.Id } : null,
    };

    public static FlowStatus Read(JsonElement status) => status.Deserialize<FlowStatus>(Json) ?? new FlowStatus();

    public JsonElement ToJson() => JsonSerializer.SerializeToElement(this, Json);
}

/// <summary>One module's state in <see cref="FlowStatus"/>.</summary>
internal sealed class FlowModuleStatus
{
    public const string WaitingForPriorSteps = "WaitingForPriorSteps";
    public const string InProgress = "InProgress";
    public const string Success = "Success";
    public const string Failure = "Failure";

    public string Id { get; set; } = "";

    public string Type { get; set; } = WaitingForPriorSteps;

    /// <summary>The job running the step (for a loop or branches, the last one started).</summary>
    public Guid? Job { get; set; }

    /// <summary>A loop's iteration jobs, or a branchall's branch jobs, in order.</summary>
    public List<Guid>? FlowJobs { get; set; }

    public FlowIteratorStatus? Iterator { get; set; }

    public FlowBranchChosen? BranchChosen { get; set; }

    public FlowBranchAllStatus? Branchall { get; set; }

    /// <summary>The jobs started for this module and not yet read back, with the position of each (iteration, branch).</summary>
    public List<FlowPendingJob>? Pending { get; set; }

    /// <summary>The results gathered so far: one per iteration or branch.</summary>
    public List<JsonElement>? Results { get; set; }

    /// <summary>The module's result, once it finished.</summary>
    public JsonElement? Result { get; set; }

    public bool? Skipped { get; set; }

    /// <summary>How many times the step failed and was tried again.</summary>
    public int? FailCount { get; set; }
}

internal sealed class FlowIteratorStatus
{
    public int Index { get; set; }

    public JsonElement? Itered { get; set; }
}

internal sealed class FlowBranchChosen
{
    public string Type { get; set; } = "default";

    public int? Branch { get; set; }
}

internal sealed class FlowBranchAllStatus
{
    public int Branch { get; set; }

    public int Len { get; set; }
}

internal sealed record FlowPendingJob(Guid Job, int Index);
