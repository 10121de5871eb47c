using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>Waits for a synchronous webhook's job and answers as Windmill does (docs/wire-format.md §2.2, §2.3).</summary>
internal static class SyncResponse
{
    public const string JsonContentType = "application/json";

    public static async Task<IResult> WaitAsync(Job job, HttpContext context, IJobRunner runner, WindmillWebhooksOptions options, TimeProvider time)
    {
        using var timeout = new CancellationTokenSource(options.SyncWaitTimeout, time);
        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, context.RequestAborted, stopping);
        Job? completed;
        try
        {
            completed = await context.RequestServices.GetRequiredService<JobRuns>().WaitForAnswerAsync(job, wait.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            if (options.CancelJobOnSyncTimeout)
            {
                await runner.CancelAsync(job.Workspace, job.Id, "timeout", "the synchronous wait timed out", audit: null, CancellationToken.None);
            }

            context.Response.Headers[WindmillHeaders.JobId] = job.Id.ToString();
            var seconds = ((long)options.SyncWaitTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return WindmillErrors.ExecutionError($"timeout after {seconds}s");
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            context.Response.Headers[WindmillHeaders.JobId] = job.Id.ToString();
            return WindmillErrors.ServiceUnavailable($"shutting down; job {job.Id} continues after restart");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return TypedResults.Empty; // the caller left; the job runs on
        }

        return completed is null
            ? WindmillErrors.NotFound($"Job {job.Id} not found")
            : Result(completed, options);
    }

    /// <summary>
    /// 200 with the result JSON on success; 422 with the <c>{"error": …}</c> JSON otherwise; or the response
    /// the result asks for with <c>windmill_status_code</c> and its kin (docs/wire-format.md §3.5).
    /// </summary>
    public static IResult Result(Job completed, WindmillWebhooksOptions options)
    {
        var succeeded = completed.Status == JobStatus.Success;
        if (completed.Result is { } result && CustomResponse.TryRead(result) is { } custom)
        {
            return custom.ToResult(succeeded, options.AllowActiveCustomResponses);
        }

        return TypedResults.Text(completed.Result?.GetRawText() ?? "null", JsonContentType,
            statusCode: succeeded ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
    }
}
