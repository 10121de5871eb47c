using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Execution;

/// <summary>Runs jobs of scripts registered in code, each in its own DI scope.</summary>
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

    public async ValueTask<JobOutcome> ExecuteAsync(Job job, CancellationToken cancellationToken)
    {
        await _catalog.EnsureDeployedAsync(cancellationToken).ConfigureAwait(false);
        var script = _catalog.Find(job.Workspace, job.ScriptPath);
        if (script is null)
        {
            return JobOutcome.Failure("ScriptUnavailable",
                $"Script version {job.ScriptHash} of {job.ScriptPath} can no longer run: no handler is registered at this path.");
        }

        if (script.Version.Hash != job.ScriptHash)
        {
            // A hash names one immutable version; never run another one in its place.
            return JobOutcome.Failure("ScriptVersionUnavailable",
                $"Script version {job.ScriptHash} of {job.ScriptPath} can no longer run: the host now registers version {script.Version.Hash} at this path.");
        }

        var logger = new JobLogger(_loggers.CreateLogger("Windmill.Webhooks.Scripts." + job.ScriptPath.Replace('/', '.')));
        var context = new ScriptContext(job.Id, job.Workspace, job.ScriptPath, job.ScriptHash, job.CreatedBy, job.PermissionedAs, job.Args, logger);
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            try
            {
                var result = await script.Handler.InvokeAsync(context, scope.ServiceProvider, cancellationToken).ConfigureAwait(false);
                return JobOutcome.Success(result, logger.Text);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                Log.ScriptFailed(logger, e, job.Id, job.ScriptPath);
                return JobOutcome.Failure(e.GetType().Name, e.Message, _options.IncludeStackTraceInJobErrors ? e.StackTrace : null, logger.Text);
            }
        }
    }
}
