using System.Text.Json;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Jobs;

/// <summary>
/// Starts script jobs the way a webhook does: resolves the version (newest at a path, or exactly a hash),
/// enqueues the job durably, and records <c>jobs.run.script</c> in the audit log before returning.
/// </summary>
public sealed class JobDispatcher
{
    private readonly IScriptStore _scripts;
    private readonly IJobRunner _runner;
    private readonly IAuditSink _audit;
    private readonly ScriptCatalog _catalog;
    private readonly TimeProvider _time;

    internal JobDispatcher(IScriptStore scripts, IJobRunner runner, IAuditSink audit, ScriptCatalog catalog, TimeProvider time)
    {
        _scripts = scripts;
        _runner = runner;
        _audit = audit;
        _catalog = catalog;
        _time = time;
    }

    /// <summary>The newest version at <paramref name="path"/>, or <see langword="null"/>.</summary>
    public async ValueTask<ScriptVersion?> ResolveAsync(string workspace, string path, CancellationToken cancellationToken)
    {
        await _catalog.EnsureDeployedAsync(cancellationToken).ConfigureAwait(false);
        return await _scripts.GetLatestAsync(workspace, path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Exactly the version <paramref name="hash"/>, or <see langword="null"/>.</summary>
    public async ValueTask<ScriptVersion?> ResolveAsync(string workspace, ScriptHash hash, CancellationToken cancellationToken)
    {
        await _catalog.EnsureDeployedAsync(cancellationToken).ConfigureAwait(false);
        return await _scripts.GetByHashAsync(workspace, hash, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the newest version at <paramref name="path"/>; <see langword="null"/> when there is none.</summary>
    public ValueTask<Job?> RunByPathAsync(string workspace, string path, JsonElement args, Caller caller, CancellationToken cancellationToken) =>
        RunByPathAsync(workspace, path, args, caller, JobOptions.None, cancellationToken);

    /// <summary>
    /// Runs the newest version at <paramref name="path"/> with <paramref name="options"/>; <see langword="null"/> when there is none.
    /// Throws <see cref="DuplicateJobIdException"/> when <see cref="JobOptions.Id"/> is taken.
    /// </summary>
    public async ValueTask<Job?> RunByPathAsync(string workspace, string path, JsonElement args, Caller caller, JobOptions options,
        CancellationToken cancellationToken)
    {
        var script = await ResolveAsync(workspace, path, cancellationToken).ConfigureAwait(false);
        return script is null ? null : await RunAsync(script, args, caller, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs exactly the version <paramref name="hash"/>; <see langword="null"/> when there is none.</summary>
    public ValueTask<Job?> RunByHashAsync(string workspace, ScriptHash hash, JsonElement args, Caller caller, CancellationToken cancellationToken) =>
        RunByHashAsync(workspace, hash, args, caller, JobOptions.None, cancellationToken);

    /// <summary>
    /// Runs exactly the version <paramref name="hash"/> with <paramref name="options"/>; <see langword="null"/> when there is none.
    /// Throws <see cref="DuplicateJobIdException"/> when <see cref="JobOptions.Id"/> is taken.
    /// </summary>
    public async ValueTask<Job?> RunByHashAsync(string workspace, ScriptHash hash, JsonElement args, Caller caller, JobOptions options,
        CancellationToken cancellationToken)
    {
        var script = await ResolveAsync(workspace, hash, cancellationToken).ConfigureAwait(false);
        return script is null ? null : await RunAsync(script, args, caller, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="script"/> as <paramref name="caller"/> with <paramref name="options"/>: the durable job first, then its audit entry.
    /// Throws <see cref="DuplicateJobIdException"/> when <see cref="JobOptions.Id"/> is taken.
    /// </summary>
    public async ValueTask<Job> RunAsync(ScriptVersion script, JsonElement args, Caller caller, JobOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(options);
        var job = await _runner.EnqueueAsync(new NewJob
        {
            Workspace = script.Workspace,
            ScriptPath = script.Path,
            ScriptHash = script.Hash,
            Language = script.Language,
            Args = args,
            CreatedBy = caller.CreatedBy,
            PermissionedAs = caller.PermissionedAs,
            TriggerKind = "webhook",
            Id = options.Id,
            ScheduledFor = options.ScheduledFor,
            ParentJob = options.ParentJob,
            RootJob = options.RootJob,
            Tag = string.IsNullOrEmpty(options.Tag) ? "default" : options.Tag,
            VisibleToOwner = options.VisibleToOwner,
            Timeout = Shorter(script.Timeout, options.Timeout),
        }, cancellationToken).ConfigureAwait(false);

        // The job is already durable: from here on, the caller's disconnect must not skip its audit entry.
        await _audit.WriteAsync(new AuditEntry
        {
            WorkspaceId = script.Workspace,
            Timestamp = _time.GetUtcNow(),
            Username = caller.Username,
            Operation = "jobs.run.script",
            ActionKind = AuditActionKind.Execute,
            Resource = script.Path,
            Parameters = new Dictionary<string, string>
            {
                ["uuid"] = job.Id.ToString(),
                ["permissioned_as"] = caller.PermissionedAs,
                ["hash"] = script.Hash.ToString(),
            },
        }, CancellationToken.None).ConfigureAwait(false);
        return job;
    }

    // A run may only shorten its script's limit, never lengthen it.
    private static TimeSpan? Shorter(TimeSpan? script, TimeSpan? run) =>
        script is { } a && run is { } b ? (a < b ? a : b) : script ?? run;
}
