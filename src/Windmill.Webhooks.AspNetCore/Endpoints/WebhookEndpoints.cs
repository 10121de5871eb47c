using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Windmill.Webhooks.AspNetCore.Authentication;
using Windmill.Webhooks.Diagnostics;
using Windmill.Webhooks.Idempotency;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// The webhook routes: <c>jobs/run/{p|h|f}/…</c> answers 201 with the job id as text;
/// <c>jobs/run_wait_result/{p|h|f}/…</c> waits and answers with the result. Scripts run by path (<c>p</c>) or hash (<c>h</c>),
/// flows by path (<c>f</c>). All take Windmill's job options in the query and an optional <c>Idempotency-Key</c> header.
/// </summary>
internal static class WebhookEndpoints
{
    /// <summary>The request header that makes a run idempotent.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>The response header on an answer repeated for an idempotency key, as Stripe sends it.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    private const int MaxIdempotencyKeyLength = 255;

    // The body media types a run reads (see WebhookArgs); anything else is a 415.
    private static readonly string[] RunBodyTypes =
        ["application/json", "application/cloudevents+json", "text/plain", "application/xml", "text/xml", "application/x-www-form-urlencoded"];

    // Windmill's job options, read by RunQuery, and the idempotency header.
    private static readonly WindmillOpenApi.RequestOption[] RunOptions =
    [
        new("job_id", JsonSchemaType.String, "The new job's id; an id already used is a 400", "uuid"),
        new("scheduled_for", JsonSchemaType.String, "When the job starts (wins over scheduled_in_secs)", "date-time"),
        new("scheduled_in_secs", JsonSchemaType.Integer, "In how many seconds the job starts"),
        new("parent_job", JsonSchemaType.String, "Recorded in the job", "uuid"),
        new("root_job", JsonSchemaType.String, "Recorded in the job", "uuid"),
        new("tag", JsonSchemaType.String, "Recorded in the job; default 'default'"),
        new("invisible_to_owner", JsonSchemaType.Boolean, "Recorded in the job"),
        new("queue_limit", JsonSchemaType.Integer, "429 when more jobs of the workspace are due"),
        new("timeout", JsonSchemaType.Integer, "The job's own time limit in seconds; it can only shorten the script's and the instance's"),
        new("raw", JsonSchemaType.Boolean, "Adds raw_string, the exact body text, to the args"),
        new("wrap_body", JsonSchemaType.Boolean, "Puts an object body under body"),
        new("include_header", JsonSchemaType.String, "Comma-separated headers to add to the args (credentials never are)"),
        new("include_query", JsonSchemaType.String, "Comma-separated query parameters to add to the args (token never is)"),
        new("skip_preprocessor", JsonSchemaType.Boolean, "Accepted, without effect"),
        new("cache_ttl", JsonSchemaType.Integer, "Accepted, without effect"),
        new("memory_id", JsonSchemaType.String, "Accepted, without effect", "uuid"),
        new(IdempotencyKeyHeader, JsonSchemaType.String, "Runs at most once per key, credential and workspace for 24 hours", In: ParameterLocation.Header),
    ];

    public static void Map(RouteGroupBuilder workspace)
    {
        var jobs = workspace.MapGroup("/jobs").WithTags("Webhooks");
        (string Route, string Name)[] runRoutes =
        [
            ("/run/p/{**path}", "RunScriptByPath"), ("/run/h/{hash}", "RunScriptByHash"),
            ("/run_wait_result/p/{**path}", "RunWaitResultScriptByPath"), ("/run_wait_result/h/{hash}", "RunWaitResultScriptByHash"),
            ("/run/f/{**path}", "RunFlowByPath"), ("/run_wait_result/f/{**path}", "RunWaitResultFlowByPath"),
        ];
        foreach (var (route, name) in runRoutes)
        {
            // Webhook validators probe with HEAD before they send anything.
            jobs.MapMethods(route, [HttpMethods.Head], () => TypedResults.Ok()).AllowAnonymous()
                .Operation("Probe" + name, "Answers 200 without a token, for webhook validators");
        }

        // Every run takes the job options, and may be refused for these reasons.
        var runs = jobs.MapGroup("").RequireAuthorization(WindmillTokenDefaults.PolicyName)
            .WithQuery(RunOptions)
            .ProducesText(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status422UnprocessableEntity);
        var posts = runs.MapGroup("").AcceptsBody(RunBodyTypes);
        posts.MapPost("/run/p/{**path}", (string workspace, string path, HttpContext context) =>
            StartAsync(context, workspace, RunTarget.ByPath(path), wait: false))
            .Operation("RunScriptByPath", "Runs the newest version of the script at a path; answers the job id")
            .ProducesText(StatusCodes.Status201Created);
        posts.MapPost("/run/h/{hash}", (string workspace, string hash, HttpContext context) =>
            StartAsync(context, workspace, RunTarget.ByHash(hash), wait: false))
            .Operation("RunScriptByHash", "Runs exactly the script version with a hash; answers the job id")
            .ProducesText(StatusCodes.Status201Created);
        posts.MapPost("/run/f/{**path}", (string workspace, string path, HttpContext context) =>
            StartAsync(context, workspace, RunTarget.ByFlowPath(path), wait: false))
            .Operation("RunFlowByPath", "Runs the newest version of the flow at a path; answers the job id")
            .ProducesText(StatusCodes.Status201Created);

        // A synchronous run answers the result, a failed job's error (422, JSON), or Windmill's timeout text (500); by GET,
        // its args come base64-encoded in ?payload=.
        var waits = posts.MapGroup("").AnswersResult();
        var gets = runs.MapGroup("").AnswersResult()
            .WithQuery(new WindmillOpenApi.RequestOption("payload", JsonSchemaType.String, "The args: JSON in standard or URL-safe base64"));
        waits.MapPost("/run_wait_result/p/{**path}", WaitByPathAsync)
            .Operation("RunWaitResultScriptByPath", "Runs the newest version of the script at a path and answers its result");
        gets.MapGet("/run_wait_result/p/{**path}", WaitByPathAsync)
            .Operation("RunWaitResultScriptByPathGet", "Runs the newest version of the script at a path, args in the query, and answers its result");
        waits.MapPost("/run_wait_result/h/{hash}", WaitByHashAsync)
            .Operation("RunWaitResultScriptByHash", "Runs exactly the script version with a hash and answers its result");
        gets.MapGet("/run_wait_result/h/{hash}", WaitByHashAsync)
            .Operation("RunWaitResultScriptByHashGet", "Runs exactly the script version with a hash, args in the query, and answers its result");
        waits.MapPost("/run_wait_result/f/{**path}", WaitByFlowPathAsync)
            .Operation("RunWaitResultFlowByPath", "Runs the newest version of the flow at a path and answers its result");
        gets.MapGet("/run_wait_result/f/{**path}", WaitByFlowPathAsync)
            .Operation("RunWaitResultFlowByPathGet", "Runs the newest version of the flow at a path, args in the query, and answers its result");
    }

    private static RouteGroupBuilder AnswersResult(this RouteGroupBuilder group) =>
        group.ProducesJson(StatusCodes.Status200OK).ProducesJsonOrText(StatusCodes.Status422UnprocessableEntity)
            .ProducesText(StatusCodes.Status500InternalServerError);

    private static Task<IResult> WaitByPathAsync(string workspace, string path, HttpContext context) =>
        StartAsync(context, workspace, RunTarget.ByPath(path), wait: true);

    private static Task<IResult> WaitByHashAsync(string workspace, string hash, HttpContext context) =>
        StartAsync(context, workspace, RunTarget.ByHash(hash), wait: true);

    private static Task<IResult> WaitByFlowPathAsync(string workspace, string path, HttpContext context) =>
        StartAsync(context, workspace, RunTarget.ByFlowPath(path), wait: true);

    private static async Task<IResult> StartAsync(HttpContext context, string workspace, RunTarget target, bool wait)
    {
        using var activity = WindmillTelemetry.Source.StartActivity(wait ? "webhook run_wait_result" : "webhook run");
        if (activity is not null)
        {
            activity.SetTag("windmill.workspace", workspace);
            activity.SetTag(target.Hash is null ? "windmill.runnable.path" : "windmill.runnable.hash", target.Hash?.ToString() ?? target.Path);
        }

        if (target.Error is { } invalid)
        {
            return invalid;
        }

        var services = context.RequestServices;
        var time = services.GetRequiredService<TimeProvider>();
        var options = services.GetRequiredService<IOptions<WindmillWebhooksOptions>>().Value;
        var request = context.Request;
        var query = RunQuery.Parse(request.Query, time.GetUtcNow(), out var badQuery);
        if (query is null)
        {
            return badQuery!;
        }

        var flags = query.Flags.WithoutCredentials(options.SecretHeaders);
        var args = HttpMethods.IsGet(request.Method)
            ? WebhookArgs.FromPayload(request, flags)
            : await WebhookArgs.FromBodyAsync(request, flags, options.MaxRequestBodySize, context.RequestAborted);
        if (args.Error is { } badArgs)
        {
            return badArgs;
        }

        // One path authorizes every request, whether it then runs a job or replays one for its idempotency key.
        var caller = context.User.ToCaller();
        var runs = services.GetRequiredService<JobRuns>();
        Func<JobOptions, CancellationToken, ValueTask<Job>> enqueue;
        if (target.Flow)
        {
            var flow = await runs.AuthorizeFlowRunAsync(workspace, target.Path!, caller, context.RequestAborted);
            enqueue = (jobOptions, cancellationToken) => runs.RunFlowAsync(flow, args.Args, caller, jobOptions, cancellationToken);
        }
        else
        {
            var script = target.Hash is { } hash
                ? await runs.AuthorizeRunAsync(workspace, hash, caller, context.RequestAborted)
                : await runs.AuthorizeRunAsync(workspace, target.Path!, caller, context.RequestAborted);
            enqueue = (jobOptions, cancellationToken) => runs.RunAsync(script, args.Args, caller, jobOptions, cancellationToken);
        }

        var runner = services.GetRequiredService<IJobRunner>();
        Func<Job, Task<IResult>> respond = wait
            ? job => SyncResponse.WaitAsync(job, context, runner, options, time)
            : job => Task.FromResult<IResult>(Created(job));
        var run = new Run(context, workspace, enqueue, query, respond);
        if (!request.Headers.TryGetValue(IdempotencyKeyHeader, out var keyHeader))
        {
            return await run.StartAsync(claim: null);
        }

        if (ParseKey(keyHeader) is not { } key)
        {
            return WindmillErrors.BadRequest(
                $"{IdempotencyKeyHeader} must be one value of 1 to {MaxIdempotencyKeyLength} visible ASCII characters, optionally in double quotes");
        }

        var proposedId = query.Job.Id ?? Guid.CreateVersion7(time.GetUtcNow());
        using var claim = await services.GetRequiredService<IdempotencyKeys>().ClaimAsync(workspace, KeyOwner(context.User), key,
            RequestFingerprint.Compute(request, args.Body), proposedId, context.RequestAborted);
        return claim.Outcome switch
        {
            IdempotencyOutcome.InProgress => WindmillErrors.Text(StatusCodes.Status409Conflict,
                $"A request with this {IdempotencyKeyHeader} is still in progress; retry once it has been answered"),
            IdempotencyOutcome.Mismatch => WindmillErrors.Text(StatusCodes.Status422UnprocessableEntity,
                $"This {IdempotencyKeyHeader} was already used with a different request; use a new key for a new request"),
            IdempotencyOutcome.Replay => await run.ReplayAsync(claim.Job!),

            // The first request, or a retry of one that stopped before its job existed: run it, with the key's job id.
            _ => await (run with { Query = query with { Job = query.Job with { Id = claim.Record!.JobId } } }).StartAsync(claim),
        };
    }

    // Keys belong to what authenticated, not to the user alone: each token (by prefix and owner; the configured admin
    // token has an empty prefix), or the host's own user. Another token of the same user never shares a key.
    private static string KeyOwner(ClaimsPrincipal user) =>
        user.FindFirst(WindmillClaimTypes.TokenPrefix)?.Value is { } prefix
            ? $"token/{prefix}/{user.Identity?.Name}"
            : $"user/{user.Identity?.Name}";

    /// <summary>An authorized run request: starts its job (<paramref name="Enqueue"/>, with the job options), or answers with the job its idempotency key already ran.</summary>
    private sealed record Run(HttpContext Context, string Workspace, Func<JobOptions, CancellationToken, ValueTask<Job>> Enqueue, RunQuery Query,
        Func<Job, Task<IResult>> Respond)
    {
        public Task<IResult> ReplayAsync(Job job)
        {
            Context.Response.Headers[ReplayedHeader] = "true";
            return Respond(job);
        }

        public async Task<IResult> StartAsync(IdempotencyClaim? claim)
        {
            var services = Context.RequestServices;
            var workspace = Workspace;
            var started = false;
            var taken = false; // the key's job id belongs to another job
            try
            {
                Job job;
                try
                {
                    job = await Enqueue(Query.Job, Context.RequestAborted);
                }
                catch (DuplicateJobIdException e) when (claim is not null)
                {
                    // Taken over from a request that was not gone after all: its job now exists, so this is a replay.
                    if (!claim.IsFirst && await services.GetRequiredService<IJobRunner>().GetAsync(workspace, e.Id, Context.RequestAborted) is { } existing)
                    {
                        started = true;
                        claim.JobCommitted();
                        return await ReplayAsync(existing);
                    }

                    taken = true;
                    throw;
                }

                started = true;
                claim?.JobCommitted(); // retries replay from now on, even while a synchronous caller still waits
                if (Activity.Current is { } activity && activity.Source == WindmillTelemetry.Source)
                {
                    activity.SetTag("windmill.job.id", job.Id.ToString());
                }

                return await Respond(job);
            }
            finally
            {
                // A request that started no job leaves its key free, so that a corrected retry can run. One that failed after its
                // job was committed (its audit entry could not be written, say) keeps it: a retry replays that job.
                if (!started && claim?.Record is { } record
                    && (taken || await services.GetRequiredService<IJobRunner>().GetAsync(workspace, record.JobId, CancellationToken.None) is null))
                {
                    await services.GetRequiredService<IdempotencyKeys>().ReleaseAsync(record, CancellationToken.None);
                }
            }
        }
    }

    // One value; the IETF draft sends it as a quoted string, Stripe's clients bare: both are read.
    private static string? ParseKey(Microsoft.Extensions.Primitives.StringValues header)
    {
        if (header.Count != 1 || header[0] is not { } value)
        {
            return null;
        }

        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            value = value[1..^1];
        }

        return value.Length is > 0 and <= MaxIdempotencyKeyLength && value.All(c => c is >= ' ' and <= '~') ? value : null;
    }

    private static ContentHttpResult Created(Job job) =>
        WindmillErrors.Text(StatusCodes.Status201Created, job.Id.ToString("D", CultureInfo.InvariantCulture));

    /// <summary>What a run route names: a script's path or hash, a flow's path, or a malformed one of these.</summary>
    private sealed record RunTarget(string? Path, ScriptHash? Hash, bool Flow, IResult? Error)
    {
        public static RunTarget ByPath(string path) => ScriptPaths.IsValid(path)
            ? new(path, null, false, null)
            : new(null, null, false, WindmillErrors.BadRequest($"invalid script path: {Truncate(path)}"));

        public static RunTarget ByHash(string hash) => ScriptHash.TryParse(hash, out var parsed)
            ? new(null, parsed, false, null)
            : new(null, null, false, WindmillErrors.BadRequest($"invalid script hash: {Truncate(hash)}: expected 16 hex characters"));

        public static RunTarget ByFlowPath(string path) => ScriptPaths.IsValid(path)
            ? new(path, null, true, null)
            : new(null, null, true, WindmillErrors.BadRequest($"invalid flow path: {Truncate(path)}"));

        private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "…";
    }
}
