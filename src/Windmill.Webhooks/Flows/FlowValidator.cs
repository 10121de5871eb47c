using System.Text.Json;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Flows;

/// <summary>
/// Checks an OpenFlow value before it is stored, so that a stored flow can run: its shape (<see cref="FlowDefinitionParser"/>),
/// that each inline script's language has an executor here, that each script and sub-flow it calls exists, and that
/// sub-flows never call back into the flow being stored.
/// </summary>
internal sealed class FlowValidator(IScriptStore scripts, IFlowStore flows, IEnumerable<IJobExecutor> executors)
{
    private readonly IJobExecutor[] _executors = executors.ToArray();

    /// <summary>Throws <see cref="FlowDefinitionException"/> when <paramref name="value"/> cannot be stored at <paramref name="path"/>.</summary>
    public async ValueTask ValidateAsync(string workspace, string path, JsonElement value, CancellationToken cancellationToken)
    {
        var flow = FlowDefinitionParser.Parse(value);
        var checkedPaths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var module in flow.AllModules())
        {
            var at = $"step `{module.Id}` ({module.Location})";
            switch (module.Value)
            {
                case ScriptModule script when script.Hash is { } text:
                    if (!ScriptHash.TryParse(text, out var hash) || await scripts.GetByHashAsync(workspace, hash, cancellationToken).ConfigureAwait(false) is null)
                    {
                        throw new FlowDefinitionException($"{at}: script {script.Path} at hash {text} not found");
                    }

                    break;
                case ScriptModule script:
                    if (await scripts.GetLatestAsync(workspace, script.Path, cancellationToken).ConfigureAwait(false) is null)
                    {
                        throw new FlowDefinitionException($"{at}: script {script.Path} not found");
                    }

                    break;
                case RawScriptModule raw when !Runs(workspace, raw.Language):
                    throw new FlowDefinitionException($"{at}: no executor here runs {raw.Language} code");
                case SubFlowModule sub:
                    await CheckSubFlowAsync(workspace, sub.Path, at, [path], checkedPaths, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    // Follows the sub-flows' newest versions depth first: a path met again on the way is a cycle; a path whose sub-flows
    // were all checked already is not walked again, so the walk reads each flow once however often it is called.
    private async ValueTask CheckSubFlowAsync(string workspace, string subPath, string at, List<string> chain, HashSet<string> checkedPaths,
        CancellationToken cancellationToken)
    {
        if (chain.Contains(subPath, StringComparer.Ordinal))
        {
            throw new FlowDefinitionException($"{at}: sub-flows form a cycle: {string.Join(" → ", chain)} → {subPath}");
        }

        if (checkedPaths.Contains(subPath))
        {
            return;
        }

        var version = await flows.GetLatestAsync(workspace, subPath, cancellationToken).ConfigureAwait(false);
        if (version is null || version.Archived)
        {
            throw new FlowDefinitionException($"{at}: flow {subPath} not found");
        }

        FlowDefinition sub;
        try
        {
            sub = FlowDefinitionParser.Parse(version.Value);
        }
        catch (FlowDefinitionException)
        {
            return; // stored before these checks; it fails when it runs, with its own message
        }

        chain.Add(subPath);
        foreach (var nested in sub.AllModules().Select(m => m.Value).OfType<SubFlowModule>())
        {
            await CheckSubFlowAsync(workspace, nested.Path, at, chain, checkedPaths, cancellationToken).ConfigureAwait(false);
        }

        chain.RemoveAt(chain.Count - 1);
        checkedPaths.Add(subPath);
    }

    private bool Runs(string workspace, string language)
    {
        var probe = new Job
        {
            Id = Guid.Empty,
            Workspace = workspace,
            Runnable = new Runnable(JobKind.FlowScript, "", default) { Language = language, RawCode = "" },
            Args = default,
            CreatedBy = "",
            PermissionedAs = "",
            CreatedAt = default,
            ScheduledFor = default,
        };
        return Array.Exists(_executors, e => e.CanExecute(probe));
    }
}
