using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.AspNetCore.Authentication;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// The webhook routes: <c>jobs/run/{p|h}/…</c> answers 201 with the job id as text;
/// <c>jobs/run_wait_result/{p|h}/…</c> waits and answers with the result.
/// </summary>
internal static class WebhookEndpoints
{
    public static void Map(RouteGroupBuilder workspace)
    {
        var jobs = workspace.MapGroup("/jobs");
        string[] runRoutes = ["/run/p/{**path}", "/run/h/{hash}", "/run_wait_result/p/{**path}", "/run_wait_result/h/{hash}"];
        foreach (var route in runRoutes)
        {
            // Webhook validators probe with HEAD before they send anything.
            jobs.MapMethods(route, [HttpMethods.Head], () => TypedResults.Ok()).AllowAnonymous();
        }

        jobs.MapPost("/run/p/{**path}", RunByPathAsync).RequireAuthorization(WindmillTokenDefaults.PolicyName);
        jobs.MapPost("/run/h/{hash}", RunByHashAsync).RequireAuthorization(WindmillTokenDefaults.PolicyName);
        jobs.MapPost("/run_wait_result/p/{**path}", RunWaitByPathAsync).RequireAuthorization(WindmillTokenDefaults.PolicyName);
        jobs.MapGet("/run_wait_result/p/{**path}", RunWaitByPathAsync).RequireAuthorization(WindmillTokenDefaults.PolicyName);
        jobs.MapPost("/run_wait_result/h/{hash}", RunWaitByHashAsync).RequireAuthorization(WindmillTokenDefaults.PolicyName);
        jobs.MapGet("/run_wait_result/h/{hash}", RunWaitByHashAsync).RequireAuthorization(WindmillTokenDefaults.PolicyName);
    }

    private static Task<IResult> RunByPathAsync(string workspace, string path, HttpContext context, JobDispatcher dispatcher,
        IOptions<WindmillWebhooksOptions> options) =>
        StartAsync(context, options.Value, ScriptTarget.ByPath(path), workspace, dispatcher, job => Task.FromResult<IResult>(Created(job)));

    private static Task<IResult> RunByHashAsync(string workspace, string hash, HttpContext context, JobDispatcher dispatcher,
        IOptions<WindmillWebhooksOptions> options) =>
        StartAsync(context, options.Value, ScriptTarget.ByHash(hash), workspace, dispatcher, job => Task.FromResult<IResult>(Created(job)));

    private static Task<IResult> RunWaitByPathAsync(string workspace, string path, HttpContext context, JobDispatcher dispatcher,
        IJobRunner runner, IOptions<WindmillWebhooksOptions> options, TimeProvider time) =>
        StartAsync(context, options.Value, ScriptTarget.ByPath(path), workspace, dispatcher,
            job => SyncResponse.WaitAsync(job, context, runner, options.Value, time));

    private static Task<IResult> RunWaitByHashAsync(string workspace, string hash, HttpContext context, JobDispatcher dispatcher,
        IJobRunner runner, IOptions<WindmillWebhooksOptions> options, TimeProvider time) =>
        StartAsync(context, options.Value, ScriptTarget.ByHash(hash), workspace, dispatcher,
            job => SyncResponse.WaitAsync(job, context, runner, options.Value, time));

    private static async Task<IResult> StartAsync(HttpContext context, WindmillWebhooksOptions options, ScriptTarget target, string workspace,
        JobDispatcher dispatcher, Func<Job, Task<IResult>> respond)
    {
        if (target.Error is { } invalid)
        {
            return invalid;
        }

        var request = context.Request;
        var args = HttpMethods.IsGet(request.Method)
            ? WebhookArgs.FromPayload(request)
            : await WebhookArgs.FromBodyAsync(request, options.MaxRequestBodySize, context.RequestAborted);
        if (args.Error is { } badArgs)
        {
            return badArgs;
        }

        var caller = context.User.ToCaller();
        var script = target.Hash is { } hash
            ? await dispatcher.ResolveAsync(workspace, hash, context.RequestAborted)
            : await dispatcher.ResolveAsync(workspace, target.Path!, context.RequestAborted);
        if (script is null)
        {
            return target.Hash is { } missing
                ? WindmillErrors.NotFound($"Script not found at hash {missing}")
                : WindmillErrors.NotFound($"Script not found at name {target.Path}");
        }

        if (WindmillAccess.CanRunScript(caller, script.Path) is { } denied)
        {
            return denied;
        }

        var job = await dispatcher.RunAsync(script, args.Args, caller, context.RequestAborted);
        return await respond(job);
    }

    private static ContentHttpResult Created(Job job) =>
        WindmillErrors.Text(StatusCodes.Status201Created, job.Id.ToString("D", CultureInfo.InvariantCulture));

    /// <summary>What a run route names: a path, or a hash, or a malformed one of these.</summary>
    private sealed record ScriptTarget(string? Path, ScriptHash? Hash, IResult? Error)
    {
        public static ScriptTarget ByPath(string path) => ScriptPaths.IsValid(path)
            ? new(path, null, null)
            : new(null, null, WindmillErrors.BadRequest($"invalid script path: {Truncate(path)}"));

        public static ScriptTarget ByHash(string hash) => ScriptHash.TryParse(hash, out var parsed)
            ? new(null, parsed, null)
            : new(null, null, WindmillErrors.BadRequest($"invalid script hash: {Truncate(hash)}: expected 16 hex characters"));

        private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "…";
    }
}
