using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Windmill.Webhooks.AspNetCore.Authentication;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// The <c>jobs_u</c> routes: read and cancel one job by id. As in Windmill, they take an optional
/// token and answer 400 (not 401) without one.
/// </summary>
internal static class JobEndpoints
{
    public static void Map(RouteGroupBuilder workspace)
    {
        var jobs = workspace.MapGroup("/jobs_u").AllowAnonymous().WithTags("Jobs").ProducesText(StatusCodes.Status404NotFound);
        var reads = jobs.MapGroup("").ProducesJson(StatusCodes.Status200OK);
        reads.MapGet("/get/{id}", GetAsync).Operation("GetJob", "A queued, running or completed job")
            .WithQuery(new WindmillOpenApi.RequestOption("no_logs", JsonSchemaType.Boolean, "Leave out the logs"));
        reads.MapGet("/completed/get_result/{id}", GetResultAsync).Operation("GetCompletedJobResult", "A completed job's result; 404 until it completes");
        reads.MapGet("/completed/get_result_maybe/{id}", GetResultMaybeAsync)
            .Operation("GetCompletedJobResultMaybe", "Whether the job started, completed and succeeded, with its result once completed")
            .WithQuery(new WindmillOpenApi.RequestOption("get_started", JsonSchemaType.Boolean, "Also say whether the job started"));
        reads.MapGet("/completed/get/{id}", GetCompletedAsync).Operation("GetCompletedJob", "A completed job; 404 until it completes");
        reads.MapGet("/completed/get_timing/{id}", GetTimingAsync).Operation("GetCompletedJobTiming", "When a completed job was created and started, and how long it ran");
        reads.MapGet("/getupdate/{id}", GetUpdateAsync).Operation("GetJobUpdates", "Whether a job runs or completed, and its logs since an offset")
            .WithQuery(new("running", JsonSchemaType.Boolean, "Whether the caller already knows the job runs"),
                new("log_offset", JsonSchemaType.Integer, "The length of the logs the caller has"),
                new("no_logs", JsonSchemaType.Boolean, "Leave out the logs"));

        // A cancel answers the job id as text, or says the job had already completed.
        var cancels = jobs.MapGroup("").AcceptsBody().ProducesText(StatusCodes.Status200OK, StatusCodes.Status403Forbidden);
        cancels.MapPost("/queue/cancel/{id}", (string workspace, string id, HttpContext context, JobRuns runs) =>
            CancelAsync(workspace, id, context, runs, force: false)).Operation("CancelQueuedJob", "Cancels a queued or running job, with an optional reason");
        cancels.MapPost("/queue/force_cancel/{id}", (string workspace, string id, HttpContext context, JobRuns runs) =>
            CancelAsync(workspace, id, context, runs, force: true)).Operation("ForceCancelQueuedJob", "Cancels a job at once, whatever holds it");
    }

    private static Task<IResult> GetAsync(string workspace, string id, HttpContext context, IJobRunner runner) =>
        WithJobAsync(workspace, id, context, runner, job =>
        {
            var noLogs = string.Equals(context.Request.Query["no_logs"], "true", StringComparison.OrdinalIgnoreCase);
            return Json(JobJson.From(job, includeLogs: !noLogs), WindmillJsonContext.Wire.JobJson);
        });

    private static Task<IResult> GetResultAsync(string workspace, string id, HttpContext context, IJobRunner runner) =>
        WithJobAsync(workspace, id, context, runner, job => job.IsCompleted
            ? TypedResults.Text(job.Result?.GetRawText() ?? "null", SyncResponse.JsonContentType)
            : WindmillErrors.NotFound($"Completed job {job.Id} not found"));

    private static Task<IResult> GetCompletedAsync(string workspace, string id, HttpContext context, IJobRunner runner) =>
        WithJobAsync(workspace, id, context, runner, job => job.IsCompleted
            ? Json(JobJson.From(job), WindmillJsonContext.Wire.JobJson)
            : WindmillErrors.NotFound($"Completed job {job.Id} not found"));

    private static Task<IResult> GetTimingAsync(string workspace, string id, HttpContext context, IJobRunner runner) =>
        WithJobAsync(workspace, id, context, runner, job => job.IsCompleted
            ? Json(new CompletedJobTimingJson(job.CreatedAt, job.StartedAt, JobJson.Duration(job)), WindmillJsonContext.Wire.CompletedJobTimingJson)
            : WindmillErrors.NotFound($"Completed job {job.Id} not found"));

    // The logs after the caller's log_offset; "running" only when the caller did not know it yet, as in Windmill.
    private static async Task<IResult> GetUpdateAsync(string workspace, string id, HttpContext context, IJobRunner runner)
    {
        var reader = new QueryReader(context.Request.Query);
        var knownRunning = reader.Bool("running") == true;
        var logOffset = reader.Int32("log_offset") ?? 0;
        var noLogs = reader.Bool("no_logs") == true;
        _ = reader.Bool("get_progress");
        _ = reader.Int32("stream_offset");
        if (reader.Failure is { } badQuery)
        {
            return badQuery;
        }

        return await WithJobAsync(workspace, id, context, runner, job =>
        {
            var logs = job.Logs ?? "";
            var running = job.IsCompleted ? false : job.Status == JobStatus.Running && !knownRunning ? true : (bool?)null;
            var update = new JobUpdateJson(running, job.IsCompleted, noLogs ? null : logs[Math.Clamp(logOffset, 0, logs.Length)..],
                noLogs ? null : logs.Length);
            return Json(update, WindmillJsonContext.Wire.JobUpdateJson);
        });
    }

    private static async Task<IResult> GetResultMaybeAsync(string workspace, string id, HttpContext context, IJobRunner runner)
    {
        // An unknown job, or one hidden from the caller, answers like an unfinished one, as in Windmill.
        var (_, job, error) = await FindAsync(workspace, id, context, runner);
        if (error is not null)
        {
            return error;
        }

        var getStarted = string.Equals(context.Request.Query["get_started"], "true", StringComparison.OrdinalIgnoreCase);
        var body = job is { IsCompleted: true }
            ? new ResultMaybeJson(true, job.Status == JobStatus.Success, true, job.Result)
            : new ResultMaybeJson(getStarted ? job?.Status == JobStatus.Running : null, null, false, null);
        return Json(body, WindmillJsonContext.Wire.ResultMaybeJson);
    }

    private static async Task<IResult> CancelAsync(string workspace, string id, HttpContext context, JobRuns runs, bool force)
    {
        if (await RequireCallerAsync(context) is { } unauthenticated)
        {
            return unauthenticated;
        }

        if (!Guid.TryParse(id, out var jobId))
        {
            return InvalidId(id);
        }

        // Refused before the body is read, as Windmill's scope check comes before its extractors; the service checks again.
        var caller = context.User.ToCaller();
        if (WindmillAccess.CanCancelJobs(caller, workspace) is { } denied)
        {
            return denied;
        }

        string? reason = null;
        if (context.Request.ContentLength is > 0 || context.Request.ContentType is not null)
        {
            try
            {
                reason = (await JsonSerializer.DeserializeAsync(context.Request.Body, WindmillJsonContext.Wire.CancelRequestJson, context.RequestAborted))?.Reason;
            }
            catch (JsonException e)
            {
                return WindmillErrors.BadRequest("invalid json: " + e.Message);
            }
        }

        var outcome = force
            ? await runs.ForceCancelAsync(workspace, jobId, caller, reason, context.RequestAborted)
            : await runs.CancelAsync(workspace, jobId, caller, reason, context.RequestAborted);
        return outcome switch
        {
            CancelOutcome.NotFound => WindmillErrors.NotFound($"queued job id {jobId} does not exist"),
            CancelOutcome.AlreadyCompleted => WindmillErrors.Text(StatusCodes.Status200OK, $"queued job id {jobId} is already completed"),
            _ => WindmillErrors.Text(StatusCodes.Status200OK, jobId.ToString()),
        };
    }

    private static async Task<IResult> WithJobAsync(string workspace, string id, HttpContext context, IJobRunner runner, Func<Job, IResult> respond)
    {
        var (jobId, job, error) = await FindAsync(workspace, id, context, runner);
        return error ?? (job is null ? WindmillErrors.NotFound($"Job {jobId} not found") : respond(job));
    }

    // The job the caller asked for by id: null when there is none or it is hidden from the caller, else the error to answer.
    private static async Task<(Guid Id, Job? Job, IResult? Error)> FindAsync(string workspace, string id, HttpContext context, IJobRunner runner)
    {
        if (await RequireCallerAsync(context) is { } unauthenticated)
        {
            return (default, null, unauthenticated);
        }

        if (!Guid.TryParse(id, out var jobId))
        {
            return (default, null, InvalidId(id));
        }

        var caller = context.User.ToCaller();
        if (WindmillAccess.CanReadJobsById(caller) is { } denied)
        {
            return (jobId, null, denied);
        }

        var job = await runner.GetAsync(workspace, jobId, context.RequestAborted);
        return (job is null ? JobAccess.Hidden : Permissions.SeeJob(caller, job)) switch
        {
            JobAccess.Visible => (jobId, job, null),
            JobAccess.Forbidden => (jobId, null, WindmillAccess.NoAccess(jobId)),
            _ => (jobId, null, null),
        };
    }

    // Jobs are never run by anonymous users here, so without a valid token there is nothing to see.
    private static async Task<IResult?> RequireCallerAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(WindmillTokenDefaults.AuthenticationScheme);
        if (result.Succeeded)
        {
            context.User = result.Principal;
            return null;
        }

        return context.RequestServices.GetRequiredService<FailedAuthenticationLimiter>().Refuse(context)
            ?? WindmillErrors.BadRequest("As a non logged in user, you can only see jobs ran by anonymous users");
    }

    private static ContentHttpResult InvalidId(string id) =>
        WindmillErrors.BadRequest($"invalid job id: {(id.Length <= 64 ? id : id[..64] + "…")}: expected a UUID");

    private static ContentHttpResult Json<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        TypedResults.Text(JsonSerializer.Serialize(value, type), SyncResponse.JsonContentType);
}
