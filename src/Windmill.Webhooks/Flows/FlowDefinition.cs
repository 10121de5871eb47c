using System.Text.Json;

namespace Windmill.Webhooks.Flows;

/// <summary>
/// A parsed OpenFlow <c>FlowValue</c>: the modules, the failure module and the early return. A loop's iteration or a
/// branch runs as a flow job of its own, whose definition also carries the results of the enclosing flow it can read
/// (<see cref="OuterResults"/>, <see cref="OuterPreviousResult"/>).
/// </summary>
internal sealed record FlowDefinition(IReadOnlyList<FlowModule> Modules)
{
    /// <summary>The key of the enclosing flow's results in the definition of an iteration or a branch.</summary>
    public const string OuterResultsKey = "outer_results";

    /// <summary>The key of the enclosing flow's previous result in the definition of an iteration or a branch.</summary>
    public const string OuterPreviousResultKey = "outer_previous_result";

    public FlowModule? FailureModule { get; init; }

    /// <summary>The id of the step whose result answers a synchronous caller at once, while the flow goes on.</summary>
    public string? EarlyReturn { get; init; }

    public JsonElement? OuterResults { get; init; }

    public JsonElement? OuterPreviousResult { get; init; }

    /// <summary>Every module, nested ones included, depth first.</summary>
    public IEnumerable<FlowModule> AllModules() => Flatten(Modules).Concat(FailureModule is null ? [] : Flatten([FailureModule]));

    private static IEnumerable<FlowModule> Flatten(IEnumerable<FlowModule> modules)
    {
        foreach (var module in modules)
        {
            yield return module;
            var nested = module.Value switch
            {
                ForLoopModule loop => loop.Modules,
                WhileLoopModule loop => loop.Modules,
                BranchOneModule one => one.Branches.SelectMany(b => b.Modules).Concat(one.Default.Modules),
                BranchAllModule all => all.Branches.SelectMany(b => b.Modules),
                _ => [],
            };
            foreach (var inner in Flatten(nested))
            {
                yield return inner;
            }
        }
    }
}
