using System.Text.Json;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Flows;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Jobs;

/// <summary>
/// Runs and cancels jobs for a <see cref="Caller"/>, the same way for the webhook routes and for the host's own code.
/// A run resolves the script version (the newest at a path, or exactly a hash) or the flow version (the newest at a path),
/// checks the caller's rights and Windmill's <c>queue_limit</c>, then enqueues the job with its <c>jobs.run.script</c> or
/// <c>jobs.run.flow</c> audit entry in one commit.
/// A cancel checks the caller's rights, then cancels the job with its <c>jobs.cancel</c> audit entry in one commit.
/// </summary>
/// <remarks>
/// A refusal is an exception, and nothing is written: <see cref="ScriptNotFoundException"/>, <see cref="FlowNotFoundException"/>,
/// <see cref="PermissionDeniedException"/>, <see cref="QueueLimitExceededException"/>, and from the runner
/// <see cref="JobQueueFullException"/> and <see cref="DuplicateJobIdException"/>. The HTTP layer answers each with
/// Windmill's error.
/// </remarks>
public sealed class JobRuns
{
    private readonly IScriptStore _scripts;
    private readonly IFlowStore _flows;
    private readonly IJobRunner _runner;
    private readonly ScriptCatalog _catalog;
    private readonly TimeProvider _time;
    private readonly FlowEarlyReturns _earlyReturns;

    internal JobRuns(IScriptStore scripts, IFlowStore flows, IJobRunner runner, ScriptCatalog catalog, TimeProvider time, FlowEarlyReturns earlyReturns)
    {
        _earlyReturns = earlyReturns;
        _scripts = scripts;
        _flows = flows;
        _runner = runner;
        _catalog = catalog;
        _time = time;
    }

    /// <summary>
    /// The newest version at <paramref name="path"/>, which <paramref name="caller"/> may run. Throws
    /// <see cref="ScriptNotFoundException"/> or <see cref="PermissionDeniedException"/>.
    /// </summary>
    public async ValueTask<ScriptVersion> AuthorizeRunAsync(string workspace, string path, Caller caller, CancellationToken cancellationToken)
    {
        await _catalog.EnsureDeployedAsync(cancellationToken).ConfigureAwait(false);
        var script = await _scripts.GetLatestAsync(workspace, path, cancellationToken).ConfigureAwait(false)
            ?? throw new ScriptNotFoundException(workspace, path);
        Authorize(script, caller);
        return script;
    }

    /// <summary>
    /// Exactly the version <paramref name="hash"/>, which <paramref name="caller"/> may run (scopes name paths: a hash is
    /// checked against its version's path). Throws <see cref="ScriptNotFoundException"/> or <see cref="PermissionDeniedException"/>.
    /// </summary>
    public async ValueTask<ScriptVersion> AuthorizeRunAsync(string workspace, ScriptHash hash, Caller caller, CancellationToken cancellationToken)
    {
        await _catalog.EnsureDeployedAsync(cancellationToken).ConfigureAwait(false);
        var script = await _scripts.GetByHashAsync(workspace, hash, cancellationToken).ConfigureAwait(false)
            ?? throw new ScriptNotFoundException(workspace, hash);
        Authorize(script, caller);
        return script;
    }

    /// <summary>Runs the newest version at <paramref name="path"/> as <paramref name="caller"/>, as <c>POST jobs/run/p/…</c> does.</summary>
    public async ValueTask<Job> RunScriptAsync(string workspace, string path, JsonElement args, Caller caller, JobOptions options,
        CancellationToken cancellationToken)
    {
        var script = await AuthorizeRunAsync(workspace, path, caller, cancellationToken).ConfigureAwait(false);
        return await RunAsync(script, args, caller, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs exactly the version <paramref name="hash"/> as <paramref name="caller"/>, as <c>POST jobs/run/h/…</c> does.</summary>
    public async ValueTask<Job> RunScriptAsync(string workspace, ScriptHash hash, JsonElement args, Caller caller, JobOptions options,
        CancellationToken cancellationToken)
    {
        var script = await AuthorizeRunAsync(workspace, hash, caller, cancellationToken).ConfigureAwait(false);
        return await RunAsync(script, args, caller, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The newest version of the flow at <paramref name="path"/>, which <paramref name="caller"/> may run (<c>jobs:run:flows:&lt;path&gt;</c>).
    /// An archived flow does not run by path. Throws <see cref="FlowNotFoundException"/> or <see cref="PermissionDeniedException"/>.
    /// </summary>
    public async ValueTask<FlowVersion> AuthorizeFlowRunAsync(string workspace, string path, Caller caller, CancellationToken cancellationToken)
    {
        var flow = await _flows.GetLatestAsync(workspace, path, cancellationToken).ConfigureAwait(false);
        if (flow is null || flow.Archived)
        {
            // Windmill's get_latest_flow_version_info_for_path, in its words.
            throw new FlowNotFoundException(workspace, path, $"flow not found at name {path}");
        }

        AuthorizeFlow(flow, caller);
        return flow;
    }

    /// <summary>Runs the newest version of the flow at <paramref name="path"/> as <paramref name="caller"/>, as <c>POST jobs/run/f/…</c> does.</summary>
    public async ValueTask<Job> RunFlowAsync(string workspace, string path, JsonElement args, Caller caller, JobOptions options,
        CancellationToken cancellationToken)
    {
        var flow = await AuthorizeFlowRunAsync(workspace, path, caller, cancellationToken).ConfigureAwait(false);
        return await RunFlowAsync(flow, args, caller, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs exactly <paramref name="flow"/> as <paramref name="caller"/> with <paramref name="options"/>: checks the caller's rights and
    /// <see cref="JobOptions.QueueLimit"/>, then enqueues a flow job (<see cref="Runnable.Flow"/>). The job and its <c>jobs.run.flow</c>
    /// audit entry are durable when this returns.
    /// </summary>
    public async ValueTask<Job> RunFlowAsync(FlowVersion flow, JsonElement args, Caller caller, JobOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(options);
        AuthorizeFlow(flow, caller);
        return await EnqueueAsync(flow.Workspace, Runnable.Flow(flow), args, caller, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="script"/> as <paramref name="caller"/> with <paramref name="options"/>: checks the caller's
    /// rights and <see cref="JobOptions.QueueLimit"/>, then enqueues. The job and its <c>jobs.run.script</c> audit entry
    /// are durable when this returns.
    /// </summary>
    public async ValueTask<Job> RunAsync(ScriptVersion script, JsonElement args, Caller caller, JobOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(options);
        Authorize(script, caller);
        return await EnqueueAsync(script.Workspace, Runnable.Script(script), args, caller, options with { Timeout = Shorter(script.Timeout, options.Timeout) },
            cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<Job> EnqueueAsync(string workspace, Runnable runnable, JsonElement args, Caller caller, JobOptions options,
        CancellationToken cancellationToken)
    {
        if (options.QueueLimit is { } limit)
        {
            // Windmill's check_queue_too_long: jobs that could run now, not those scheduled for later.
            var queued = await _runner.CountAsync(new JobQuery
            {
                Workspace = workspace,
                Statuses = [JobStatus.Queued, JobStatus.Running],
                ScheduledBefore = _time.GetUtcNow(),
            }, cancellationToken).ConfigureAwait(false);
            if (queued > limit)
            {
                throw new QueueLimitExceededException(queued, limit);
            }
        }

        return await _runner.EnqueueAsync(new NewJob
        {
            Workspace = workspace,
            Runnable = runnable,
            Args = args,
            CreatedBy = caller.CreatedBy,
            PermissionedAs = caller.PermissionedAs,
            TriggerKind = "webhook",
            TriggeredBy = caller.Username,
            Options = options,
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Cancels job <paramref name="id"/> as <paramref name="caller"/>, as <c>POST jobs_u/queue/cancel/…</c> does: it needs
    /// <c>jobs:write</c>, and a job the caller may see. A queued job is canceled at once, a running one is told to stop;
    /// the cancel and its <c>jobs.cancel</c> audit entry are durable when this returns. Throws <see cref="PermissionDeniedException"/>.
    /// </summary>
    public ValueTask<CancelOutcome> CancelAsync(string workspace, Guid id, Caller caller, string? reason, CancellationToken cancellationToken) =>
        CancelAsync(workspace, id, caller, reason, "jobs.cancel", cancellationToken);

    /// <summary>
    /// <see cref="CancelAsync(string, Guid, Caller, string?, CancellationToken)"/>, audited as <c>jobs.force_cancel</c>, as
    /// <c>POST jobs_u/queue/force_cancel/…</c> does: here every cancel completes the job at once, whatever its code does next.
    /// </summary>
    public ValueTask<CancelOutcome> ForceCancelAsync(string workspace, Guid id, Caller caller, string? reason, CancellationToken cancellationToken) =>
        CancelAsync(workspace, id, caller, reason, "jobs.force_cancel", cancellationToken);

    // Windmill lets any member cancel any job by id; here a caller cancels only the jobs it may see.
    private async ValueTask<CancelOutcome> CancelAsync(string workspace, Guid id, Caller caller, string? reason, string operation,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        Permissions.Demand(Permissions.CancelJobs(caller, workspace));
        if (await _runner.GetAsync(workspace, id, cancellationToken).ConfigureAwait(false) is { } job && Permissions.SeeJob(caller, job) != JobAccess.Visible)
        {
            throw new PermissionDeniedException(Permissions.NoAccess(id));
        }

        var audit = new AuditEntry
        {
            WorkspaceId = workspace,
            Timestamp = _time.GetUtcNow(),
            Username = caller.Username,
            Operation = operation,
            ActionKind = AuditActionKind.Delete,
            Resource = id.ToString(),
            Parameters = reason is null ? null : new Dictionary<string, string> { ["reason"] = reason },
        };
        return await _runner.CancelAsync(workspace, id, caller.Username, reason, audit, cancellationToken).ConfigureAwait(false);
    }

    private static void Authorize(ScriptVersion script, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        Permissions.Demand(Permissions.RunScript(caller, script.Workspace, script.Path));
    }

    private static void AuthorizeFlow(FlowVersion flow, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        Permissions.Demand(Permissions.RunFlow(caller, flow.Workspace, flow.Path));
    }

    // A run may only shorten its script's limit, never lengthen it.
    private static TimeSpan? Shorter(TimeSpan? script, TimeSpan? run) =>
        script is { } a && run is { } b ? (a < b ? a : b) : script ?? run;

    /// <summary>
    /// Waits for what a synchronous caller of <paramref name="job"/> is answered with: the completed job, or, for a flow with
    /// an <c>early_return</c> step, as soon as that step succeeded, the flow shown as succeeded with that step's result while
    /// it goes on. <see langword="null"/> when the job is unknown.
    /// </summary>
    public async ValueTask<Job?> WaitForAnswerAsync(Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (EarlyReturnStep(job) is not { } step)
        {
            return await _runner.WaitForCompletionAsync(job.Workspace, job.Id, cancellationToken).ConfigureAwait(false);
        }

        var early = _earlyReturns.Watch(job.Id);
        using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var completion = _runner.WaitForCompletionAsync(job.Workspace, job.Id, stopWaiting.Token).AsTask();

            // A result that came before this wait began is in the flow's status.
            if (await _runner.GetAsync(job.Workspace, job.Id, cancellationToken).ConfigureAwait(false) is { IsCompleted: false } current
                && EarlyResult(current, step) is { } stored)
            {
                return AnsweredEarly(current, stored);
            }

            // The early result first: when both are there, it is the answer (the flow may have finished in the same run).
            if (await Task.WhenAny(early, completion).ConfigureAwait(false) == early)
            {
                return AnsweredEarly(job, await early.ConfigureAwait(false));
            }

            return await completion.ConfigureAwait(false);
        }
        finally
        {
            await stopWaiting.CancelAsync().ConfigureAwait(false);
            _earlyReturns.Forget(job.Id);
        }
    }

    private Job AnsweredEarly(Job job, JsonElement result) =>
        job with { Status = JobStatus.Success, Result = result, CompletedAt = _time.GetUtcNow() };

    private static string? EarlyReturnStep(Job job)
    {
        if (job.Runnable is not { Kind: JobKind.Flow, RawCode: { } raw } || !raw.Contains("\"early_return\"", StringComparison.Ordinal))
        {
            return null;
        }

        using var flow = JsonDocument.Parse(raw);
        return flow.RootElement.TryGetProperty("early_return", out var step) && step.ValueKind == JsonValueKind.String ? step.GetString() : null;
    }

    private static JsonElement? EarlyResult(Job flow, string step) =>
        flow.FlowStatus is { ValueKind: JsonValueKind.Object } status
            ? FlowStatus.Read(status).Modules.FirstOrDefault(m => m.Id == step && m.Type == FlowModuleStatus.Success)?.Result
            : null;
}
