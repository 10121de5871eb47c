using System.Text.Json;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Jobs;

/// <summary>
/// Starts script jobs the way a webhook does: resolves the version (newest at a path, or exactly a hash),
/// enqueues the job durably with its <c>jobs.run.script</c> audit entry.
/// </summary>
public sealed class JobDispatcher
{
    private readonly IScriptStore _scripts;
    private readonly IJobRunner _runner;
    private readonly ScriptCatalog _catalog;

    internal JobDispatcher(IScriptStore scripts, IJobRunner runner, ScriptCatalog catalog)
    {
        _scripts = scripts;
        _runner = runner;
        _catalog = catalog;
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
    /// Runs <paramref name="script"/> as <paramref name="caller"/> with <paramref name="options"/>: the job and its
    /// <c>jobs.run.script</c> audit entry are durable when this returns.
    /// Throws <see cref="DuplicateJobIdException"/> when <see cref="JobOptions.Id"/> is taken.
    /// </summary>
    public async ValueTask<Job> RunAsync(ScriptVersion script, JsonElement args, Caller caller, JobOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(options);
        return await _runner.EnqueueAsync(new NewJob
        {
            Workspace = script.Workspace,
            ScriptPath = script.Path,
            ScriptHash = script.Hash,
            Language = script.Language,
            Args = args,
            CreatedBy = caller.CreatedBy,
            PermissionedAs = caller.PermissionedAs,
            TriggerKind = "webhook",
            TriggeredBy = caller.Username,
            Options = options with { Timeout = Shorter(script.Timeout, options.Timeout) },
        }, cancellationToken).ConfigureAwait(false);
    }

    // A run may only shorten its script's limit, never lengthen it.
    private static TimeSpan? Shorter(TimeSpan? script, TimeSpan? run) =>
        script is { } a && run is { } b ? (a < b ? a : b) : script ?? run;
}
