using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Windmill.Webhooks.AspNetCore.Authentication;
using Windmill.Webhooks.Flows;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// The flows routes (windmill-api.md §11): create, update, archive and delete stored flows through <see cref="StoredFlows"/>;
/// read the newest version at a path as Windmill's <c>Flow</c> JSON, whether a path has a flow, a path's version history, the
/// list of flows and the tokens that may run a flow. The flow webhooks are in <see cref="WebhookEndpoints"/>.
/// </summary>
internal static class FlowEndpoints
{
    // History has no paging in the store; this bounds one answer.
    private const int MaxHistory = 1000;

    public static void Map(RouteGroupBuilder workspace)
    {
        var flows = workspace.MapGroup("/flows").RequireAuthorization(WindmillTokenDefaults.PolicyName)
            .WithTags("Flows").ProducesText(StatusCodes.Status403Forbidden);
        flows.MapPost("/create", CreateAsync).WithMetadata(RequestBodyLimitFilter.FlowBody)
            .Operation("CreateFlow", "Stores a new flow (Windmill's OpenFlowWPath); answers its path")
            .ProducesText(StatusCodes.Status201Created, StatusCodes.Status400BadRequest);
        flows.MapPost("/update/{**path}", UpdateAsync).WithMetadata(RequestBodyLimitFilter.FlowBody)
            .Operation("UpdateFlow", "Stores a new version of the flow at a path (and unarchives it); answers its path")
            .ProducesText(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        flows.MapPost("/archive/{**path}", ArchiveAsync).Operation("ArchiveFlowByPath", "Archives (or with {\"archived\":false} unarchives) the flow at a path")
            .ProducesText(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        flows.MapDelete("/delete/{**path}", DeleteAsync).Operation("DeleteFlowByPath", "Deletes the flow at a path and every version of it")
            .ProducesText(StatusCodes.Status200OK, StatusCodes.Status404NotFound);
        flows.MapGet("/get/{**path}", GetAsync).Operation("GetFlowByPath", "The newest version of the flow at a path, archived or not")
            .ProducesJson(StatusCodes.Status200OK).ProducesText(StatusCodes.Status404NotFound);
        flows.MapGet("/exists/{**path}", ExistsAsync).Operation("ExistsFlowByPath", "Whether a path has a flow, archived or not")
            .ProducesJson(StatusCodes.Status200OK);
        flows.MapGet("/history/p/{**path}", HistoryAsync).Operation("GetFlowHistory", "The versions of the flow at a path, newest first")
            .ProducesJson(StatusCodes.Status200OK);
        flows.MapGet("/list_tokens/{**path}", ListTokensAsync).Operation("ListFlowTokens", "The tokens that may run the flow")
            .ProducesJson(StatusCodes.Status200OK);
        flows.MapGet("/list", ListAsync).Operation("ListFlows", "The newest version of each flow, ordered by path")
            .ProducesJson(StatusCodes.Status200OK)
            .WithQuery(new("path_start", JsonSchemaType.String, "Only paths starting with this"), new("path_exact", JsonSchemaType.String, "Only this path"),
                new("created_by", JsonSchemaType.String, "Only flows whose newest version this user deployed (edited_by works too)"),
                new("show_archived", JsonSchemaType.Boolean, "Archived flows instead of live ones"), new("page", JsonSchemaType.Integer, "The page, from 1"),
                new("per_page", JsonSchemaType.Integer, "Flows per page"));
    }

    /// <summary>Windmill's <c>create_flow</c>: <c>201</c> with the path as text.</summary>
    private static async Task<IResult> CreateAsync(string workspace, StoredFlows flows, HttpContext context)
    {
        var (flow, error) = await ReadFlowAsync(context, defaultPath: null);
        if (flow is null)
        {
            return error!;
        }

        var created = await flows.CreateAsync(workspace, flow, context.User.ToCaller(), context.RequestAborted);
        return WindmillErrors.Text(StatusCodes.Status201Created, created.Path);
    }

    /// <summary>Windmill's <c>update_flow</c>: <c>200</c> with the path as text.</summary>
    private static async Task<IResult> UpdateAsync(string workspace, string path, StoredFlows flows, HttpContext context)
    {
        var (flow, error) = await ReadFlowAsync(context, defaultPath: path);
        if (flow is null)
        {
            return error!;
        }

        var updated = await flows.UpdateAsync(workspace, path, flow, context.User.ToCaller(), context.RequestAborted);
        return WindmillErrors.Text(StatusCodes.Status200OK, updated.Path);
    }

    /// <summary>Windmill's <c>archive_flow_by_path</c>: <c>200</c> with <c>Flow &lt;path&gt; archived</c>, its text whichever way it went.</summary>
    private static async Task<IResult> ArchiveAsync(string workspace, string path, StoredFlows flows, HttpContext context)
    {
        var (request, error) = await WindmillRequests.ReadJsonAsync(context, WindmillJsonContext.Wire.ArchiveFlowJson);
        if (request is null)
        {
            return error!;
        }

        await flows.SetArchivedAsync(workspace, path, request.Archived ?? true, context.User.ToCaller(), context.RequestAborted);
        return WindmillErrors.Text(StatusCodes.Status200OK, $"Flow {path} archived");
    }

    /// <summary>Windmill's <c>delete_flow_by_path</c>: <c>200</c> with <c>Flow &lt;path&gt; deleted</c>.</summary>
    private static async Task<IResult> DeleteAsync(string workspace, string path, StoredFlows flows, HttpContext context)
    {
        await flows.DeleteAsync(workspace, path, context.User.ToCaller(), context.RequestAborted);
        return WindmillErrors.Text(StatusCodes.Status200OK, $"Flow {path} deleted");
    }

    private static async Task<IResult> GetAsync(string workspace, string path, IFlowStore store, HttpContext context)
    {
        if (Readable(workspace, path, context) is { } refused)
        {
            return refused;
        }

        var flow = await store.GetLatestAsync(workspace, path, context.RequestAborted);
        return flow is null
            ? WindmillErrors.NotFound($"Flow not found at path {path}")
            : Json(JsonSerializer.Serialize(FlowJson.From(flow), WindmillJsonContext.Wire.FlowJson));
    }

    /// <summary>Windmill's <c>exists_flow_by_path</c>: <c>true</c> when the path has a flow, archived or not.</summary>
    private static async Task<IResult> ExistsAsync(string workspace, string path, IFlowStore store, HttpContext context)
    {
        if (Readable(workspace, path, context) is { } refused)
        {
            return refused;
        }

        return Json(await store.GetLatestAsync(workspace, path, context.RequestAborted) is null ? "false" : "true");
    }

    /// <summary>Every version deployed at a path, newest first, as Windmill's <c>FlowVersion</c> list; empty for an unknown path.</summary>
    private static async Task<IResult> HistoryAsync(string workspace, string path, IFlowStore store, HttpContext context)
    {
        if (Readable(workspace, path, context) is { } refused)
        {
            return refused;
        }

        var history = await store.GetHistoryAsync(workspace, path, context.RequestAborted)
            .Take(MaxHistory)
            .Select(v => new FlowHistoryJson(v.Id, v.CreatedAt, v.DeploymentMessage))
            .ToListAsync(context.RequestAborted);
        return Json(JsonSerializer.Serialize(history, WindmillJsonContext.Wire.ListFlowHistoryJson));
    }

    /// <summary>
    /// The newest version of every flow, ordered by path; filters <c>path_start</c>, <c>path_exact</c>, <c>created_by</c> (or Windmill's
    /// own <c>edited_by</c>), <c>show_archived</c>, and paging. As in Windmill, a token scoped to some flows sees only those of the page.
    /// </summary>
    private static async Task<IResult> ListAsync(string workspace, IFlowStore store, HttpContext context)
    {
        var query = context.Request.Query;
        if (WindmillRequests.Paging(context.Request) is not { } paging)
        {
            return WindmillErrors.BadRequest("page and per_page must be integers");
        }

        if (!bool.TryParse(query["show_archived"].FirstOrDefault() ?? "false", out var archived))
        {
            return WindmillErrors.BadRequest("show_archived must be true or false");
        }

        var caller = context.User.ToCaller();
        var listed = await store.ListAsync(new FlowQuery
        {
            Workspace = workspace,
            PathStart = NonEmpty(query["path_start"]),
            PathExact = NonEmpty(query["path_exact"]),
            CreatedBy = NonEmpty(query["created_by"]) ?? NonEmpty(query["edited_by"]),
            Archived = archived,
            Offset = paging.Offset,
            Limit = paging.Limit,
        }, context.RequestAborted)
            .Where(flow => Permissions.ReadFlow(caller, workspace, flow.Path) is null)
            .Select(FlowJson.From)
            .ToListAsync(context.RequestAborted);
        return Json(JsonSerializer.Serialize(listed, WindmillJsonContext.Wire.ListFlowJson));
    }

    /// <summary>The twin of <c>scripts/list_tokens</c>: the caller's tokens (every one, for an admin) whose scopes let them run the flow.</summary>
    private static async Task<IResult> ListTokensAsync(string workspace, string path, TokenService tokens, HttpContext context)
    {
        if (Readable(workspace, path, context) is { } refused)
        {
            return refused;
        }

        var listed = await tokens.ListForRunnableAsync(context.User.ToCaller(), workspace, TokenScopes.RunFlow(path), context.RequestAborted)
            .Select(token => TokenJson.From(token, includeEmail: true))
            .ToListAsync(context.RequestAborted);
        return Json(JsonSerializer.Serialize(listed, WindmillJsonContext.Wire.ListTokenJson));
    }

    private static async Task<(NewFlow? Flow, IResult? Error)> ReadFlowAsync(HttpContext context, string? defaultPath)
    {
        var (request, error) = await WindmillRequests.ReadJsonAsync(context, WindmillJsonContext.Wire.NewFlowJson);
        if (request is null)
        {
            return (null, error);
        }

        var (flow, invalid) = request.ToNewFlow(defaultPath);
        return flow is null ? (null, WindmillErrors.BadRequest(invalid!)) : (flow, null);
    }

    /// <summary>The 400 for a malformed path or the 403 for a token without <c>flows:read:&lt;path&gt;</c>; otherwise <see langword="null"/>.</summary>
    private static ContentHttpResult? Readable(string workspace, string path, HttpContext context)
    {
        if (!ScriptPaths.IsValid(path))
        {
            return WindmillErrors.BadRequest($"invalid flow path: {(path.Length <= 64 ? path : path[..64] + "…")}");
        }

        return Permissions.ReadFlow(context.User.ToCaller(), workspace, path) is { } refusal ? WindmillErrors.PermissionDenied(refusal) : null;
    }

    private static string? NonEmpty(Microsoft.Extensions.Primitives.StringValues value) => value.ToString() is { Length: > 0 } text ? text : null;

    private static ContentHttpResult Json(string json) => TypedResults.Text(json, SyncResponse.JsonContentType);
}
