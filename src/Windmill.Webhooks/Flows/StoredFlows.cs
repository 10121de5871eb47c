using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Flows;

/// <summary>
/// Creates, updates, archives and deletes stored flows for a <see cref="Caller"/>, the same way for the flows routes and for
/// the host's own code. Each write checks the caller's rights (<c>flows:write:&lt;path&gt;</c>, and a path of their own unless
/// they are an admin), checks the definition (its size, then <see cref="FlowValidator"/>), then commits with its audit entry
/// (<c>flows.create</c>, <c>flows.update</c>, <c>flows.archive</c>, <c>flows.delete</c>) where the store can hold it.
/// </summary>
/// <remarks>
/// A refusal is an exception, and nothing is written: <see cref="FlowRequestException"/> (400), <see cref="FlowDefinitionException"/>
/// (400), <see cref="FlowConflictException"/> (400), <see cref="PermissionDeniedException"/> (403) and <see cref="FlowNotFoundException"/>
/// (404). The HTTP layer answers each with Windmill's error.
/// </remarks>
public sealed partial class StoredFlows
{
    private readonly IFlowStore _store;
    private readonly FlowValidator _validator;
    private readonly IAuditSink _audit;
    private readonly WindmillWebhooksOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<StoredFlows> _logger;

    internal StoredFlows(IFlowStore store, FlowValidator validator, IAuditSink audit, IOptions<WindmillWebhooksOptions> options, TimeProvider time,
        ILogger<StoredFlows> logger)
    {
        _store = store;
        _validator = validator;
        _audit = audit;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Deploys <paramref name="flow"/> at a path that has no flow as <paramref name="caller"/>, as <c>POST flows/create</c> does, and
    /// returns its first version. A path that has one (archived or not) is a <see cref="FlowConflictException"/>: Windmill's
    /// <c>Flow &lt;path&gt; already exists</c>.
    /// </summary>
    public async ValueTask<FlowVersion> CreateAsync(string workspace, NewFlow flow, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flow);
        await CheckWriteAsync(workspace, flow, caller, cancellationToken).ConfigureAwait(false);
        var audit = Audit(workspace, caller, "flows.create", AuditActionKind.Create, flow.Path, ("flow", flow.Path));
        var created = await WriteAsync(audit, a => _store.AddVersionAsync(Version(workspace, flow, caller), null, a, cancellationToken)).ConfigureAwait(false);
        Log.Deployed(_logger, flow.Path, created.Id, workspace, caller.Username);
        return created;
    }

    /// <summary>
    /// Deploys a new version of the flow at <paramref name="path"/> as <paramref name="caller"/>, as <c>POST flows/update/…</c> does,
    /// and returns it; an archived flow is unarchived. <paramref name="flow"/>'s path must be <paramref name="path"/>: flows are not
    /// renamed here. Throws <see cref="FlowNotFoundException"/> when the path has no flow.
    /// </summary>
    public async ValueTask<FlowVersion> UpdateAsync(string workspace, string path, NewFlow flow, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flow);
        if (flow.Path != path)
        {
            throw new FlowRequestException($"the flow's path {Truncate(flow.Path)} is not {path}: flows cannot be renamed here");
        }

        await CheckWriteAsync(workspace, flow, caller, cancellationToken).ConfigureAwait(false);
        var head = await _store.GetLatestAsync(workspace, path, cancellationToken).ConfigureAwait(false)
            ?? throw new FlowNotFoundException(workspace, path);

        // Windmill's update_flow records flows.update as a Create.
        var audit = Audit(workspace, caller, "flows.update", AuditActionKind.Create, path, ("flow", path));
        var updated = await WriteAsync(audit, a => _store.AddVersionAsync(Version(workspace, flow, caller), head.Id, a, cancellationToken)).ConfigureAwait(false);
        Log.Deployed(_logger, path, updated.Id, workspace, caller.Username);
        return updated;
    }

    /// <summary>
    /// Archives (or with <paramref name="archived"/> <see langword="false"/>, unarchives) the flow at <paramref name="path"/> as
    /// <paramref name="caller"/>, as <c>POST flows/archive/…</c> does: an archived flow no longer runs by path. Throws
    /// <see cref="FlowNotFoundException"/> when the path has no flow.
    /// </summary>
    public async ValueTask SetArchivedAsync(string workspace, string path, bool archived, Caller caller, CancellationToken cancellationToken)
    {
        AuthorizeWrite(workspace, path, caller);
        var audit = Audit(workspace, caller, "flows.archive", AuditActionKind.Delete, path, ("workspace", workspace));
        if (!await WriteAsync(audit, a => _store.SetArchivedAsync(workspace, path, archived, a, cancellationToken)).ConfigureAwait(false))
        {
            throw new FlowNotFoundException(workspace, path);
        }

        Log.Archived(_logger, path, archived, workspace, caller.Username);
    }

    /// <summary>
    /// Deletes the flow at <paramref name="path"/> and every version of it as <paramref name="caller"/>, as <c>DELETE flows/delete/…</c>
    /// does. Jobs already started keep the definition they run. Throws <see cref="FlowNotFoundException"/> when the path has no flow.
    /// </summary>
    public async ValueTask DeleteAsync(string workspace, string path, Caller caller, CancellationToken cancellationToken)
    {
        AuthorizeWrite(workspace, path, caller);
        var audit = Audit(workspace, caller, "flows.delete", AuditActionKind.Delete, path, ("workspace", workspace));
        if (!await WriteAsync(audit, a => _store.DeleteAsync(workspace, path, a, cancellationToken)).ConfigureAwait(false))
        {
            throw new FlowNotFoundException(workspace, path);
        }

        Log.Deleted(_logger, path, workspace, caller.Username);
    }

    // Cheap checks first: the path and the rights, then the size, and only then the validator, which may read the stores.
    private async ValueTask CheckWriteAsync(string workspace, NewFlow flow, Caller caller, CancellationToken cancellationToken)
    {
        AuthorizeWrite(workspace, flow.Path, caller);
        if (flow.Value.ValueKind != JsonValueKind.Object)
        {
            throw new FlowRequestException("invalid value: expected a JSON object (an OpenFlow FlowValue)");
        }

        var size = Encoding.UTF8.GetByteCount(flow.Value.GetRawText());
        if (size > _options.MaxFlowDefinitionSize)
        {
            throw new FlowRequestException($"the flow's definition is {size} bytes, more than the {_options.MaxFlowDefinitionSize} this server accepts");
        }

        if (flow.Schema is { ValueKind: not JsonValueKind.Object })
        {
            throw new FlowRequestException("invalid schema: expected a JSON object");
        }

        await _validator.ValidateAsync(workspace, flow.Path, flow.Value, cancellationToken).ConfigureAwait(false);
    }

    private static void AuthorizeWrite(string workspace, string path, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!ScriptPaths.IsValid(path))
        {
            throw new FlowRequestException($"invalid flow path: {Truncate(path)}: expected u/<user>/<name> or f/<folder>/<name>");
        }

        Permissions.Demand(Permissions.WriteFlow(caller, workspace, path));
    }

    private FlowVersion Version(string workspace, NewFlow flow, Caller caller) => new()
    {
        Workspace = workspace,
        Path = flow.Path,
        Id = 0,
        Summary = flow.Summary,
        Description = flow.Description,
        Value = flow.Value.Clone(),
        Schema = flow.Schema?.Clone(),
        CreatedBy = caller.Username,
        CreatedAt = _time.GetUtcNow(),
        DeploymentMessage = flow.DeploymentMessage,
    };

    private static string Truncate(string? text) => text is null ? "(none)" : text.Length <= 64 ? text : text[..64] + "…";

    private AuditEntry Audit(string workspace, Caller caller, string operation, AuditActionKind kind, string resource,
        params (string Key, string Value)[] parameters) =>
        AuditedWrite.Entry(workspace, caller, _time.GetUtcNow(), operation, kind, resource, parameters);

    private ValueTask<FlowVersion> WriteAsync(AuditEntry audit, Func<AuditEntry?, ValueTask<FlowVersion>> write) =>
        AuditedWrite.RunAsync(_store.CommitsWith(_audit), _audit, audit, write, _ => true);

    private ValueTask<bool> WriteAsync(AuditEntry audit, Func<AuditEntry?, ValueTask<bool>> write) =>
        AuditedWrite.RunAsync(_store.CommitsWith(_audit), _audit, audit, write, written => written);
}
