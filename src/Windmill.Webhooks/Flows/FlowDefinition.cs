using System.Text.Json;

namespace Windmill.Webhooks.Flows;

/// <summary>
/// A parsed OpenFlow <c>FlowValue</c>: the modules, the failure module and the early return. A loop's iteration or a
/// branch runs as a flow job of its own, whose definition is marked (<see cref="ReadsParent"/>) so that it reads the
/// results of the enclosing flows from their stored status instead of carrying a copy of them.
/// </summary>
internal sealed record FlowDefinition(IReadOnlyList<FlowModule> Modules)
{
    /// <summary>The key that marks the definition of an iteration or a branch: it sees its parent flow's results.</summary>
    public const string ReadsParentKey = "reads_parent_results";

    public FlowModule? FailureModule { get; init; }

    /// <summary>The id of the step whose result answers a synchronous caller at once, while the flow goes on.</summary>
    public string? EarlyReturn { get; init; }

    /// <summary>Whether this is an iteration or a branch, which sees its parent flow's <c>results</c> and <c>previous_result</c>.</summary>
    public bool ReadsParent { get; init; }

    /// <summary>Whether the raw flow of a job is an iteration's or a branch's (<see cref="ReadsParent"/>), without parsing its modules.</summary>
    public static bool ReadsParentOf(string? rawFlow)
    {
        if (rawFlow is null)
        {
            return false;
        }

        using var document = JsonDocument.Parse(rawFlow);
        return document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty(ReadsParentKey, out var reads) && reads.ValueKind == JsonValueKind.True;
    }

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
