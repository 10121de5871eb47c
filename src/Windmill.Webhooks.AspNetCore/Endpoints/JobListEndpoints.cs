using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Windmill.Webhooks.AspNetCore.Authentication;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// <c>jobs/list</c>, <c>jobs/completed/list</c> and <c>jobs/queue/list</c> (docs/wire-format.md §4): a
/// workspace's jobs as Windmill's <c>Job</c> JSON, filtered and paged as Windmill does, streamed as the store
/// reads them. They need <c>jobs:read</c>; a user who is not an admin lists only the jobs they may see.
/// </summary>
internal static class JobListEndpoints
{
    private static readonly JobStatus[] Completed = [JobStatus.Success, JobStatus.Failure, JobStatus.Canceled];
    private static readonly JobStatus[] Unfinished = [JobStatus.Queued, JobStatus.Running];
    private const int FlushThreshold = 16 * 1024;

    public static void Map(RouteGroupBuilder workspace)
    {
        var jobs = workspace.MapGroup("/jobs").RequireAuthorization(WindmillTokenDefaults.PolicyName)
            .WithTags("Jobs").WithQuery(Filters).ProducesJson(StatusCodes.Status200OK);
        jobs.MapGet("/list", (string workspace, HttpContext context, IJobRunner runner, TimeProvider time) =>
            ListAsync(workspace, context, runner, time, JobList.All)).Operation("ListJobs", "Jobs of the workspace, newest first");
        jobs.MapGet("/completed/list", (string workspace, HttpContext context, IJobRunner runner, TimeProvider time) =>
            ListAsync(workspace, context, runner, time, JobList.Completed)).Operation("ListCompletedJobs", "Completed jobs of the workspace");
        jobs.MapGet("/queue/list", (string workspace, HttpContext context, IJobRunner runner, TimeProvider time) =>
            ListAsync(workspace, context, runner, time, JobList.Queue)).Operation("ListQueuedJobs", "Queued and running jobs of the workspace");
    }

    // Windmill's list filters, read in ListAsync.
    private static readonly WindmillOpenApi.RequestOption[] Filters =
    [
        new("script_path_exact", JsonSchemaType.String, "Only jobs of exactly this path"),
        new("script_path_start", JsonSchemaType.String, "Only jobs whose path starts with this"),
        new("created_by", JsonSchemaType.String, "Only jobs created by this user"),
        new("success", JsonSchemaType.Boolean, "Only completed jobs that succeeded (true) or not (false)"),
        new("running", JsonSchemaType.Boolean, "Only unfinished jobs that run (true) or wait (false)"),
        new("job_kinds", JsonSchemaType.String, "Comma-separated kinds; !flow negates"),
        new("created_before", JsonSchemaType.String, "Only jobs created before", "date-time"),
        new("created_after", JsonSchemaType.String, "Only jobs created after", "date-time"),
        new("parent_job", JsonSchemaType.String, "Only children of this job", "uuid"),
        new("scheduled_for_before_now", JsonSchemaType.Boolean, "Only due jobs"),
        new("include_args", JsonSchemaType.Boolean, "List jobs with their args (per_page is then at most 100)"),
        new("order_desc", JsonSchemaType.Boolean, "Completed and queue lists: newest first"),
        new("page", JsonSchemaType.Integer, "The page, from 1"),
        new("per_page", JsonSchemaType.Integer, "Jobs per page: default 1000, 1 to 10000"),
    ];

    private static async Task<IResult> ListAsync(string workspace, HttpContext context, IJobRunner runner, TimeProvider time, JobList list)
    {
        var caller = context.User.ToCaller();
        if (WindmillAccess.CanListJobs(caller) is { } denied)
        {
            return denied;
        }

        var reader = new QueryReader(context.Request.Query);
        var success = reader.Bool("success");
        var running = reader.Bool("running");
        var includeArgs = reader.Bool("include_args") == true;
        var page = reader.Int64("page") ?? 1;
        var maxPerPage = includeArgs ? WindmillRequests.MaxPerPageWithArgs : WindmillRequests.MaxPerPage;
        var perPage = (int)Math.Clamp(reader.Int64("per_page") ?? WindmillRequests.DefaultPerPage, 1, maxPerPage);
        var query = new JobQuery
        {
            Workspace = workspace,
            ScriptPath = reader.String("script_path_exact"),
            ScriptPathStart = reader.String("script_path_start"),
            CreatedBy = reader.String("created_by"),
            ParentJob = reader.Uuid("parent_job"),
            CreatedBefore = reader.Instant("created_before"),
            CreatedAfter = reader.Instant("created_after"),
            ScheduledBefore = reader.Bool("scheduled_for_before_now") == true ? time.GetUtcNow() : null,
            Kinds = Kinds(reader.List("job_kinds")),
            OldestFirst = list != JobList.All && reader.Bool("order_desc") == false,
            Limit = perPage,
            Offset = (int)Math.Min(Math.Min(Math.Max(page, 1) - 1, int.MaxValue) * perPage, int.MaxValue), // no overflow for any page
            VisibleTo = Permissions.JobsVisibleTo(caller),
            IncludeArgs = includeArgs,
            IncludeOutput = false,
        };
        if (reader.Failure is { } badQuery)
        {
            return badQuery;
        }

        if (list == JobList.All && success is not null && running is not null)
        {
            return WindmillErrors.BadRequest("cannot specify both success and running");
        }

        // success only ever matches completed jobs, running only unfinished ones, as in Windmill.
        IEnumerable<JobStatus> statuses = list switch
        {
            JobList.Completed => Completed,
            JobList.Queue => Unfinished,
            _ => Enum.GetValues<JobStatus>(),
        };
        if (success is { } succeeded)
        {
            statuses = statuses.Intersect(succeeded ? [JobStatus.Success] : [JobStatus.Failure, JobStatus.Canceled]);
        }

        if (running is { } isRunning)
        {
            statuses = statuses.Intersect([isRunning ? JobStatus.Running : JobStatus.Queued]);
        }

        var selected = statuses.ToArray();
        if (selected.Length == 0)
        {
            return TypedResults.Text("[]", SyncResponse.JsonContentType);
        }

        // The first job is read here, so a store that refuses still gets a proper answer; the rest streams.
        var jobs = runner.ListAsync(query with { Statuses = selected }, context.RequestAborted).GetAsyncEnumerator(context.RequestAborted);
        bool any;
        try
        {
            any = await jobs.MoveNextAsync();
        }
        catch
        {
            await jobs.DisposeAsync();
            throw;
        }

        return TypedResults.Stream(body => WriteAsync(PipeWriter.Create(body, new StreamPipeWriterOptions(leaveOpen: true)), jobs, any, includeArgs),
            SyncResponse.JsonContentType);
    }

    // Writes the array as the store yields it, one job in memory at a time, handing the bytes on as they pile up.
    private static async Task WriteAsync(PipeWriter body, IAsyncEnumerator<Job> jobs, bool any, bool includeArgs)
    {
        await using (jobs)
        {
            using var writer = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = WindmillJsonContext.Wire.Options.Encoder });
            var handedOn = 0L;
            writer.WriteStartArray();
            for (var more = any; more; more = await jobs.MoveNextAsync())
            {
                // Serialize ends with a Flush, which only commits the bytes to the pipe; FlushAsync sends them.
                JsonSerializer.Serialize(writer, JobJson.From(jobs.Current, includeLogs: false, includeResult: false, includeArgs: includeArgs),
                    WindmillJsonContext.Wire.JobJson);
                if (writer.BytesCommitted - handedOn >= FlushThreshold)
                {
                    await body.FlushAsync();
                    handedOn = writer.BytesCommitted;
                }
            }

            writer.WriteEndArray();
            writer.Flush();
            await body.CompleteAsync();
        }
    }

    // Windmill's kinds are a comma list, negated by a leading '!' on every value; kinds this library never runs match nothing.
    private static JobKind[]? Kinds(string[] names)
    {
        if (names.Length == 0)
        {
            return null;
        }

        var negated = names.All(name => name.StartsWith('!'));
        var listed = names.Select(name => name.TrimStart('!'))
            .Select(name => Enum.TryParse<JobKind>(name, ignoreCase: true, out var kind) && name.All(char.IsAsciiLetterLower) ? kind : (JobKind?)null)
            .OfType<JobKind>()
            .ToHashSet();
        return negated ? Enum.GetValues<JobKind>().Where(kind => !listed.Contains(kind)).ToArray() : listed.ToArray();
    }

    private enum JobList
    {
        All,
        Completed,
        Queue,
    }
}
