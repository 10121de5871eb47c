using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Windmill.Webhooks.AspNetCore.Authentication;
using System.Text.Json;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// The script read routes: the newest version at a path, or exactly one hash, as Windmill's <c>Script</c> JSON;
/// the list of scripts, a path's version history and the tokens that may run a script.
/// </summary>
internal static class ScriptEndpoints
{
    // Lineage is linear; this bounds the walk over a corrupt store.
    private const int MaxLineage = 1000;

    public static void Map(RouteGroupBuilder workspace)
    {
        var scripts = workspace.MapGroup("/scripts").RequireAuthorization(WindmillTokenDefaults.PolicyName)
            .WithTags("Scripts").ProducesJson(StatusCodes.Status200OK).ProducesText(StatusCodes.Status403Forbidden);
        scripts.MapGet("/get/p/{**path}", GetByPathAsync).Operation("GetScriptByPath", "The newest version of the script at a path")
            .ProducesText(StatusCodes.Status404NotFound);
        scripts.MapGet("/get/h/{hash}", GetByHashAsync).Operation("GetScriptByHash", "Exactly the script version with a hash")
            .ProducesText(StatusCodes.Status404NotFound);
        scripts.MapGet("/list_tokens/{**path}", ListTokensAsync).Operation("ListScriptTokens", "The tokens that may run the script");
        scripts.MapGet("/list", ListAsync).Operation("ListScripts", "The newest version of each path, ordered by path, without content")
            .WithQuery(new("path_start", JsonSchemaType.String, "Only paths starting with this"), new("path_exact", JsonSchemaType.String, "Only this path"),
                new("created_by", JsonSchemaType.String, "Only versions deployed by this user"), new("page", JsonSchemaType.Integer, "The page, from 1"),
                new("per_page", JsonSchemaType.Integer, "Scripts per page"));
        scripts.MapGet("/history/p/{**path}", HistoryAsync).Operation("GetScriptHistory", "The hashes of every version at a path, newest first");
    }

    /// <summary>The newest version of every path, ordered by path; filters <c>path_start</c>, <c>path_exact</c>, <c>created_by</c>, and paging.</summary>
    private static async Task<IResult> ListAsync(string workspace, IScriptStore store, ScriptCatalog catalog, HttpContext context)
    {
        if (WindmillAccess.CanRead(context.User.ToCaller(), "scripts:read") is { } denied)
        {
            return denied;
        }

        if (WindmillRequests.Paging(context.Request) is not { } paging)
        {
            return WindmillErrors.BadRequest("page and per_page must be integers");
        }

        var query = context.Request.Query;
        string pathStart = query["path_start"].ToString(), pathExact = query["path_exact"].ToString(), createdBy = query["created_by"].ToString();
        await catalog.EnsureDeployedAsync(context.RequestAborted);
        var listed = await store.ListAsync(workspace, context.RequestAborted)
            .Where(s => s.Path.StartsWith(pathStart, StringComparison.Ordinal)
                && (pathExact.Length == 0 || s.Path == pathExact)
                && (createdBy.Length == 0 || s.CreatedBy == createdBy))
            .Skip(paging.Offset).Take(paging.Limit)
            .Select(ListableScriptJson.From)
            .ToListAsync(context.RequestAborted);
        return TypedResults.Text(JsonSerializer.Serialize(listed, WindmillJsonContext.Wire.ListListableScriptJson), SyncResponse.JsonContentType);
    }

    /// <summary>Every version deployed at a path, newest first, as Windmill's <c>ScriptHistory</c>; empty for an unknown path.</summary>
    private static async Task<IResult> HistoryAsync(string workspace, string path, IScriptStore store, ScriptCatalog catalog, HttpContext context)
    {
        if (await ReadablePathAsync(path, catalog, context) is { } refused)
        {
            return refused;
        }

        var history = await store.GetHistoryAsync(workspace, path, context.RequestAborted)
            .Take(MaxLineage)
            .Select(s => new ScriptHistoryJson(s.Hash.ToString(), null))
            .ToListAsync(context.RequestAborted);
        return TypedResults.Text(JsonSerializer.Serialize(history, WindmillJsonContext.Wire.ListScriptHistoryJson), SyncResponse.JsonContentType);
    }

    private static async Task<IResult> ListTokensAsync(string workspace, string path, TokenService tokens, HttpContext context)
    {
        if (!ScriptPaths.IsValid(path))
        {
            return WindmillErrors.BadRequest($"invalid script path: {path}");
        }

        var caller = context.User.ToCaller();
        if (WindmillAccess.CanRead(caller, "scripts:read") is { } denied)
        {
            return denied;
        }

        var listed = await tokens.ListForRunnableAsync(caller, workspace, TokenScopes.RunScript(path), context.RequestAborted)
            .Select(token => TokenJson.From(token, includeEmail: true))
            .ToListAsync(context.RequestAborted);
        return TypedResults.Text(JsonSerializer.Serialize(listed, WindmillJsonContext.Wire.ListTokenJson), SyncResponse.JsonContentType);
    }

    private static async Task<IResult> GetByPathAsync(string workspace, string path, IScriptStore store, ScriptCatalog catalog, HttpContext context)
    {
        if (await ReadablePathAsync(path, catalog, context) is { } refused)
        {
            return refused;
        }

        var script = await store.GetLatestAsync(workspace, path, context.RequestAborted);
        return script is null ? WindmillErrors.NotFound($"Script not found at name {path}") : await RespondAsync(script, store, context);
    }

    private static async Task<IResult> GetByHashAsync(string workspace, string hash, IScriptStore store, ScriptCatalog catalog, HttpContext context)
    {
        if (!ScriptHash.TryParse(hash, out var parsed))
        {
            return WindmillErrors.BadRequest($"invalid script hash: {hash}: expected 16 hex characters");
        }

        if (WindmillAccess.CanRead(context.User.ToCaller(), "scripts:read") is { } denied)
        {
            return denied;
        }

        await catalog.EnsureDeployedAsync(context.RequestAborted);
        var script = await store.GetByHashAsync(workspace, parsed, context.RequestAborted);
        return script is null ? WindmillErrors.NotFound($"Script not found at hash {parsed}") : await RespondAsync(script, store, context);
    }

    /// <summary>The 400 for a malformed path or the 403 for a token without <c>scripts:read</c>; otherwise the catalog is deployed and <see langword="null"/>.</summary>
    private static async Task<IResult?> ReadablePathAsync(string path, ScriptCatalog catalog, HttpContext context)
    {
        if (!ScriptPaths.IsValid(path))
        {
            return WindmillErrors.BadRequest($"invalid script path: {path}");
        }

        if (WindmillAccess.CanRead(context.User.ToCaller(), "scripts:read") is { } denied)
        {
            return denied;
        }

        await catalog.EnsureDeployedAsync(context.RequestAborted);
        return null;
    }

    private static async Task<IResult> RespondAsync(ScriptVersion script, IScriptStore store, HttpContext context)
    {
        var parents = new List<string>();
        for (var parent = script.ParentHash; parent is { } hash && parents.Count < MaxLineage;)
        {
            parents.Add(hash.ToString());
            parent = (await store.GetByHashAsync(script.Workspace, hash, context.RequestAborted))?.ParentHash;
        }

        return TypedResults.Text(
            JsonSerializer.Serialize(ScriptJson.From(script, parents), WindmillJsonContext.Wire.ScriptJson),
            SyncResponse.JsonContentType);
    }
}
