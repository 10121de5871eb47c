using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Windmill.Webhooks.Diagnostics;
using Windmill.Webhooks.Flows;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Storage;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// The one place where failures that escape a Windmill route become answers in Windmill's text format:
/// the core's refusals (an unknown script or flow, a missing right, a full queue, a taken job id, a script that cannot be
/// stored) are their 4xx,
/// storage that refuses (<see cref="StorageUnavailableException"/>) is <c>503 Service unavailable: …</c>,
/// a request the server could not read is its own 4xx, and anything else is <c>500 Internal: …</c> with
/// a trace id and no stack trace (the exception goes to the log).
/// </summary>
internal sealed partial class WindmillErrorFilter(ILogger<WindmillErrorFilter> logger, WindmillMetrics metrics) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            throw; // the caller left; there is no one to answer
        }
        catch (ScriptNotFoundException e)
        {
            return WindmillErrors.NotFound(e.Hash is { } hash ? $"Script not found at hash {hash}" : $"Script not found at name {e.Path}");
        }
        catch (ScriptRequestException e)
        {
            return WindmillErrors.BadRequest(e.Message);
        }
        catch (FlowNotFoundException e)
        {
            return WindmillErrors.NotFound(e.Message);
        }
        catch (Exception e) when (e is FlowRequestException or FlowDefinitionException or FlowConflictException)
        {
            return WindmillErrors.BadRequest(e.Message);
        }
        catch (ScriptCompilationException e)
        {
            return WindmillErrors.BadRequest(e.Message);
        }
        catch (PermissionDeniedException e)
        {
            return WindmillErrors.PermissionDenied(e.Message);
        }
        catch (QueueLimitExceededException e)
        {
            metrics.RateLimited("queue_limit");
            return WindmillErrors.Text(StatusCodes.Status429TooManyRequests, $"Number of queued job is too high: {e.Queued} > {e.Limit}");
        }
        catch (JobQueueFullException e)
        {
            metrics.RateLimited("queue_full");
            return WindmillErrors.Text(StatusCodes.Status429TooManyRequests,
                $"Too many requests: workspace {e.Workspace} already holds {e.Limit} unfinished jobs, the most it accepts; retry once some have run");
        }
        catch (DuplicateJobIdException e)
        {
            return WindmillErrors.BadRequest($"Job with id {e.Id} already exists");
        }
        catch (StorageUnavailableException e)
        {
            Log.StorageUnavailable(logger, e, http.Request.Method, http.Request.Path, http.TraceIdentifier);
            return WindmillErrors.ServiceUnavailable(e.Message);
        }
        catch (BadHttpRequestException e)
        {
            // The server could not read the request (a body over the server's own limit, a truncated body): the caller's fault.
            return e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? WindmillErrors.PayloadTooLarge(e.Message)
                : WindmillErrors.Text(e.StatusCode, "Bad request: " + e.Message);
        }
#pragma warning disable CA1031 // Every other failure is logged and answered in Windmill's format rather than as an empty 500.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.Unexpected(logger, e, http.Request.Method, http.Request.Path, http.TraceIdentifier);
            return WindmillErrors.Internal($"unexpected error, trace id {http.TraceIdentifier}");
        }
    }
}
