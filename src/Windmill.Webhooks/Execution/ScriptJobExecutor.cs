using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Execution;

/// <summary>Runs jobs of scripts registered in code (C# handlers); a handler that takes services gets its own DI scope.</summary>
internal sealed partial class ScriptJobExecutor : IJobExecutor
{
    private readonly ScriptCatalog _catalog;
    private readonly IServiceScopeFactory _scopes;
    private readonly ILoggerFactory _loggers;
    private readonly WindmillWebhooksOptions _options;

    public ScriptJobExecutor(ScriptCatalog catalog, IServiceScopeFactory scopes, ILoggerFactory loggers, IOptions<WindmillWebhooksOptions> options)
    {
        _catalog = catalog;
        _scopes = scopes;
        _loggers = loggers;
        _options = options.Value;
    }

    public bool CanExecute(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.Runnable is { Kind: JobKind.Script, Language: ScriptCatalog.CodeLanguage };
    }

    public async ValueTask<JobOutcome> ExecuteAsync(Job job, CancellationToken cancellationToken)
    {
        await _catalog.EnsureDeployedAsync(cancellationToken).ConfigureAwait(false);
        var script = _catalog.Find(job.Workspace, job.Runnable.Path);
        if (script is null)
        {
            return JobOutcome.Failure("ScriptUnavailable",
                $"Script version {job.Runnable.Hash} of {job.Runnable.Path} can no longer run: no handler is registered at this path.");
        }

        if (script.Version.Hash != job.Runnable.Hash)
        {
            // A hash names one immutable version; never run another one in its place.
            return JobOutcome.Failure("ScriptVersionUnavailable",
                $"Script version {job.Runnable.Hash} of {job.Runnable.Path} can no longer run: the host now registers version {script.Version.Hash} at this path.");
        }

        var logger = new JobLogger(_loggers.CreateLogger("Windmill.Webhooks.Scripts." + job.Runnable.Path.Replace('/', '.')));
        var context = new ScriptContext(job.Id, job.Workspace, job.Runnable.Path, job.Runnable.Hash, job.CreatedBy, job.PermissionedAs, job.Args, logger);
        if (!script.Handler.UsesServices)
        {
            // Nothing to resolve: a scope would only cost an allocation and a dispose per job.
            return await InvokeAsync(script.Handler, context, EmptyServices.Instance, logger, job, cancellationToken).ConfigureAwait(false);
        }

        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            return await InvokeAsync(script.Handler, context, scope.ServiceProvider, logger, job, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<JobOutcome> InvokeAsync(ScriptHandler handler, ScriptContext context, IServiceProvider services, JobLogger logger, Job job,
        CancellationToken cancellationToken)
    {
        try
        {
            var result = await handler.InvokeAsync(context, services, cancellationToken).ConfigureAwait(false);
            return JobOutcome.Success(result, logger.Text);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            Log.ScriptFailed(logger, e, job.Id, job.Runnable.Path);
            return JobOutcome.Failure(e.GetType().Name, e.Message, _options.IncludeStackTraceInJobErrors ? e.StackTrace : null, logger.Text);
        }
    }

    private sealed class EmptyServices : IServiceProvider
    {
        public static readonly EmptyServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
