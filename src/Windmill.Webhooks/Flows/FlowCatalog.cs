using System.Text.Json;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.Flows;

/// <summary>
/// Deploys the flows registered in code (<c>AddFlow</c>) at start-up, after the code's scripts, as a new version when the
/// definition changed: a flow registered in code is a stored flow like any other, so it runs, lists and versions the same way.
/// A definition that does not validate stops the host with a message that names the flow.
/// </summary>
internal sealed class FlowCatalog(IEnumerable<CodeFlowRegistration> registrations, IFlowStore store, StoredFlows stored,
    IOptions<WindmillWebhooksOptions> options)
{
    private static readonly Caller Host = new("system") { IsSuperAdmin = true, IsAdmin = true };

    public async ValueTask EnsureDeployedAsync(CancellationToken cancellationToken)
    {
        // Flows may call each other in any registration order: what cannot deploy yet (a sub-flow registered later is not
        // stored yet) is tried again after the others, until a pass deploys nothing more.
        var pending = registrations.ToList();
        while (pending.Count > 0)
        {
            var failures = new List<(CodeFlowRegistration Registration, InvalidOperationException Error)>();
            foreach (var registration in pending)
            {
                try
                {
                    await DeployAsync(registration, cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidOperationException e) when (e.InnerException is FlowDefinitionException)
                {
                    failures.Add((registration, e));
                }
            }

            if (failures.Count == pending.Count)
            {
                throw failures[0].Error;
            }

            pending = failures.ConvertAll(f => f.Registration);
        }
    }

    private async ValueTask DeployAsync(CodeFlowRegistration registration, CancellationToken cancellationToken)
    {
        var workspace = options.Value.DefaultWorkspace;
        (JsonElement Value, string Summary, JsonElement? Schema) definition;
        try
        {
            definition = registration.Load();
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or FlowDefinitionException)
        {
            throw new InvalidOperationException($"The flow {registration.Path} registered in code cannot be read: {e.Message}", e);
        }

        var latest = await store.GetLatestAsync(workspace, registration.Path, cancellationToken).ConfigureAwait(false);
        if (latest is { Archived: false } && Compact(latest.Value) == Compact(definition.Value) && latest.Summary == definition.Summary
            && Compact(latest.Schema) == Compact(definition.Schema))
        {
            return;
        }

        var flow = new NewFlow
        {
            Path = registration.Path,
            Summary = definition.Summary,
            Value = definition.Value,
            Schema = definition.Schema,
            DeploymentMessage = "registered in code by the host application",
        };
        try
        {
            _ = latest is null
                ? await stored.CreateAsync(workspace, flow, Host, cancellationToken).ConfigureAwait(false)
                : await stored.UpdateAsync(workspace, registration.Path, flow, Host, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FlowDefinitionException or FlowRequestException)
        {
            throw new InvalidOperationException($"The flow {registration.Path} registered in code is not valid: {e.Message}", e);
        }
        catch (FlowConflictException)
        {
            // Another process sharing the store deployed it at the same moment.
        }
    }

    private static string? Compact(JsonElement? value) => value is { } json ? JsonSerializer.Serialize(json) : null;
}
