using System.Text.Json;

namespace Windmill.Webhooks.Flows;

/// <summary>One step of a flow (OpenFlow's <c>FlowModule</c>): what it runs, and the options around it.</summary>
internal sealed record FlowModule(string Id, FlowModuleValue Value)
{
    /// <summary>Where the module sits in the definition, for messages: <c>modules[2]</c>, <c>modules[1].value.modules[0]</c>.</summary>
    public required string Location { get; init; }

    public string? Summary { get; init; }

    /// <summary>Evaluated after the step with <c>result</c>: when true the flow (or, in a loop, the loop) stops there.</summary>
    public string? StopAfterIf { get; init; }

    /// <summary>Evaluated before the step: when true the step does not run and its result is <c>null</c>.</summary>
    public string? SkipIf { get; init; }

    /// <summary>Seconds to wait after the step before the next one starts.</summary>
    public InputTransform? Sleep { get; init; }

    /// <summary>The step's time limit, in seconds.</summary>
    public InputTransform? Timeout { get; init; }

    public FlowRetry? Retry { get; init; }

    /// <summary>A failure of the step becomes its result instead of failing the flow.</summary>
    public bool ContinueOnError { get; init; }

    /// <summary>When set, the step does not run and this is its result.</summary>
    public JsonElement? Mock { get; init; }
}

/// <summary>What a module runs; one record per OpenFlow module type.</summary>
internal abstract record FlowModuleValue;

internal sealed record ScriptModule(string Path, string? Hash, IReadOnlyDictionary<string, InputTransform> Inputs) : FlowModuleValue;

internal sealed record RawScriptModule(string Content, string Language, IReadOnlyDictionary<string, InputTransform> Inputs) : FlowModuleValue;

internal sealed record SubFlowModule(string Path, IReadOnlyDictionary<string, InputTransform> Inputs) : FlowModuleValue;

/// <summary>A <c>forloopflow</c>: <see cref="Body"/> is the raw <c>modules</c> array each iteration runs as a flow of its own.</summary>
internal sealed record ForLoopModule(InputTransform Iterator, IReadOnlyList<FlowModule> Modules, JsonElement Body, bool SkipFailures, bool Parallel, int? Parallelism)
    : FlowModuleValue;

internal sealed record WhileLoopModule(IReadOnlyList<FlowModule> Modules, JsonElement Body, bool SkipFailures) : FlowModuleValue;

internal sealed record FlowBranch(string? Expression, IReadOnlyList<FlowModule> Modules, JsonElement Body, bool SkipFailure);

internal sealed record BranchOneModule(IReadOnlyList<FlowBranch> Branches, FlowBranch Default) : FlowModuleValue;

internal sealed record BranchAllModule(IReadOnlyList<FlowBranch> Branches, bool Parallel) : FlowModuleValue;

internal sealed record IdentityModule : FlowModuleValue;

/// <summary>OpenFlow's <c>retry</c>: constant delays, or exponential ones (<c>multiplier × seconds^attempt</c>).</summary>
internal sealed record FlowRetry(int ConstantAttempts, double ConstantSeconds, int ExponentialAttempts, double Multiplier, double BaseSeconds)
{
    public int Attempts => ConstantAttempts + ExponentialAttempts;

    /// <summary>The wait before retry number <paramref name="attempt"/> (1-based): constant ones first, then exponential ones.</summary>
    public TimeSpan DelayBefore(int attempt) => TimeSpan.FromSeconds(Math.Min(
        attempt <= ConstantAttempts ? ConstantSeconds : Multiplier * Math.Pow(BaseSeconds, attempt - ConstantAttempts),
        MaxDelay.TotalSeconds));

    /// <summary>The longest wait before a retry.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(1);
}
