using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Windmill.Webhooks.AspNetCore.Authentication;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// The scripts routes (windmill-api.md §5): create, archive and delete stored scripts through <see cref="StoredScripts"/>;
/// read the newest version at a path or exactly one hash as Windmill's <c>Script</c> JSON, its raw content, whether a path
/// exists, a path's version history, the list of scripts and the tokens that may run a script.
/// </summary>
internal static class ScriptEndpoints
{
    // Lineage is linear; this bounds the walk over a corrupt store.
    private const int MaxLineage = 1000;

    // Windmill's raw_script_by_path takes a path with a file extension, which it strips.
    private static readonly string[] RawExtensions = [".bun.ts", ".deno.ts", ".ts", ".py", ".go", ".sh"];

    public static void Map(RouteGroupBuilder workspace)
    {
        var scripts = workspace.MapGroup("/scripts").RequireAuthorization(WindmillTokenDefaults.PolicyName)
            .WithTags("Scripts").ProducesJson(StatusCodes.Status200OK).ProducesText(StatusCodes.Status403Forbidden);
        scripts.MapPost("/create", CreateAsync).WithMetadata(RequestBodyLimitFilter.ScriptBody)
            .Operation("CreateScript", "Stores a new version of a script (Windmill's NewScript); answers its hash")
            .ProducesText(StatusCodes.Status201Created).ProducesText(StatusCodes.Status400BadRequest);
        scripts.MapPost("/archive/p/{**path}", ArchiveByPathAsync).Operation("ArchiveScriptByPath", "Archives the script at a path; its hashes still run")
            .ProducesText(StatusCodes.Status404NotFound);
        scripts.MapPost("/archive/h/{hash}", ArchiveByHashAsync).Operation("ArchiveScriptByHash", "Archives one version; it still runs by hash")
            .ProducesText(StatusCodes.Status404NotFound);
        scripts.MapPost("/delete/p/{**path}", DeleteByPathAsync).Operation("DeleteScriptByPath", "Deletes every version at a path; its hashes no longer run")
            .ProducesText(StatusCodes.Status404NotFound);
        scripts.MapGet("/get/p/{**path}", GetByPathAsync).Operation("GetScriptByPath", "The newest version of the script at a path")
            .ProducesText(StatusCodes.Status404NotFound);
        scripts.MapGet("/get/h/{hash}", GetByHashAsync).Operation("GetScriptByHash", "Exactly the script version with a hash")
            .ProducesText(StatusCodes.Status404NotFound);
        scripts.MapGet("/exists/p/{**path}", ExistsAsync).Operation("ExistsScriptByPath", "Whether a path has a live script");
        scripts.MapGet("/raw/p/{**path}", RawByPathAsync).Operation("GetRawScriptByPath", "The content of the newest version at a path (with its file extension)")
            .ProducesText(StatusCodes.Status404NotFound);
        scripts.MapGet("/raw/h/{hash}", RawByHashAsync).Operation("GetRawScriptByHash", "The content of one version (with its file extension)")
            .ProducesText(StatusCodes.Status404NotFound);
        scripts.MapGet("/list_tokens/{**path}", ListTokensAsync).Operation("ListScriptTokens", "The tokens that may run the script");
        scripts.MapGet("/list", ListAsync).Operation("ListScripts", "The newest version of each path, ordered by path, without content")
            .WithQuery(new("path_start", JsonSchemaType.String, "Only paths starting with this"), new("path_exact", JsonSchemaType.String, "Only this path"),
                new("created_by", JsonSchemaType.String, "Only versions deployed by this user"), new("languages", JsonSchemaType.String, "Only these languages, comma-separated"),
                new("show_archived", JsonSchemaType.Boolean, "Archived versions instead of live ones"), new("page", JsonSchemaType.Integer, "The page, from 1"),
                new("per_page", JsonSchemaType.Integer, "Scripts per page"));
        scripts.MapGet("/history/p/{**path}", HistoryAsync).Operation("GetScriptHistory", "The hashes of every version at a path, newest first");
    }

    /// <summary>Windmill's <c>create_script</c>: <c>201</c> with the new version's hash as text (the head's, for content it already has).</summary>
    private static async Task<IResult> CreateAsync(string workspace, StoredScripts scripts, HttpContext context)
    {
        var (request, error) = await WindmillRequests.ReadJsonAsync(context, WindmillJsonContext.Wire.NewScriptJson);
        if (request is null)
        {
            return error!;
        }

        var (script, invalid) = request.ToNewScript();
        if (script is null)
        {
            return WindmillErrors.BadRequest(invalid!);
        }

        var created = await scripts.CreateAsync(workspace, script, context.User.ToCaller(), context.RequestAborted);
        return WindmillErrors.Text(StatusCodes.Status201Created, created.Hash.ToString());
    }

    /// <summary>Windmill's <c>archive_script_by_path</c>: <c>200</c> with an empty body.</summary>
    private static async Task<IResult> ArchiveByPathAsync(string workspace, string path, StoredScripts scripts, HttpContext context)
    {
        await scripts.ArchiveAsync(workspace, path, context.User.ToCaller(), context.RequestAborted);
        return TypedResults.Ok();
    }

    /// <summary>Windmill's <c>archive_script_by_hash</c>: the archived version's <c>Script</c> JSON.</summary>
    private static async Task<IResult> ArchiveByHashAsync(string workspace, string hash, StoredScripts scripts, IScriptStore store, HttpContext context)
    {
        if (!ScriptHash.TryParse(hash, out var parsed))
        {
            return InvalidHash(hash);
        }

        var archived = await scripts.ArchiveAsync(workspace, parsed, context.User.ToCaller(), context.RequestAborted);
        return await RespondAsync(archived, store, context);
    }

    /// <summary>Windmill's <c>delete_script_by_path</c>: the deleted path as a JSON string.</summary>
    private static async Task<IResult> DeleteByPathAsync(string workspace, string path, StoredScripts scripts, HttpContext context)
    {
        await scripts.DeleteAsync(workspace, path, context.User.ToCaller(), context.RequestAborted);
        return TypedResults.Text(JsonSerializer.Serialize(path, WindmillJsonContext.Wire.String), SyncResponse.JsonContentType);
    }

    /// <summary>
    /// The newest version of every path, ordered by path; filters <c>path_start</c>, <c>path_exact</c>, <c>created_by</c>,
    /// <c>languages</c> (comma-separated), <c>show_archived</c>, and paging.
    /// </summary>
    private static async Task<IResult> ListAsync(string workspace, IScriptStore store, ScriptCatalog catalog, HttpContext context)
    {
        if (WindmillAccess.CanRead(context.User.ToCaller(), "scripts:read") is { } denied)
        {
            return denied;
        }

        var query = context.Request.Query;
        if (WindmillRequests.Paging(context.Request) is not { } paging)
        {
            return WindmillErrors.BadRequest("page and per_page must be integers");
        }

        if (!bool.TryParse(query["show_archived"].FirstOrDefault() ?? "false", out var archived))
        {
            return WindmillErrors.BadRequest("show_archived must be true or false");
        }

        await catalog.EnsureDeployedAsync(context.RequestAborted);
        var listed = await store.ListAsync(new ScriptQuery
        {
            Workspace = workspace,
            PathStart = NonEmpty(query["path_start"]),
            PathExact = NonEmpty(query["path_exact"]),
            CreatedBy = NonEmpty(query["created_by"]),
            Languages = NonEmpty(query["languages"])?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Archived = archived,
            Offset = paging.Offset,
            Limit = paging.Limit,
        }, context.RequestAborted)
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
            .Select(s => new ScriptHistoryJson(s.Hash.ToString(), null, s.CreatedAt, s.CreatedBy))
            .ToListAsync(context.RequestAborted);
        return TypedResults.Text(JsonSerializer.Serialize(history, WindmillJsonContext.Wire.ListScriptHistoryJson), SyncResponse.JsonContentType);
    }

    /// <summary>Windmill's <c>exists_script_by_path</c>: <c>true</c> when the path has a non-archived version.</summary>
    private static async Task<IResult> ExistsAsync(string workspace, string path, IScriptStore store, ScriptCatalog catalog, HttpContext context)
    {
        if (await ReadablePathAsync(path, catalog, context) is { } refused)
        {
            return refused;
        }

        var exists = await store.GetLatestAsync(workspace, path, context.RequestAborted) is not null;
        return TypedResults.Text(exists ? "true" : "false", SyncResponse.JsonContentType);
    }

    /// <summary>Windmill's <c>raw_script_by_path</c>: the head's content as text; the path ends with a file extension, which is ignored.</summary>
    private static async Task<IResult> RawByPathAsync(string workspace, string path, IScriptStore store, ScriptCatalog catalog, HttpContext context)
    {
        if (RawExtensions.FirstOrDefault(e => path.EndsWith(e, StringComparison.Ordinal)) is not { } extension)
        {
            return WindmillErrors.BadRequest($"Path must ends with a .py, .ts, .go. or .sh extension: {path}");
        }

        var bare = path[..^extension.Length];
        if (await ReadablePathAsync(bare, catalog, context) is { } refused)
        {
            return refused;
        }

        var script = await store.GetLatestAsync(workspace, bare, context.RequestAborted);
        return script is null ? WindmillErrors.NotFound($"Script not found at name {bare}") : TypedResults.Text(script.Content, WindmillErrors.TextContentType);
    }

    /// <summary>Windmill's <c>raw_script_by_hash</c>: that version's content as text, archived or not; the hash ends with <c>.ts</c>.</summary>
    private static async Task<IResult> RawByHashAsync(string workspace, string hash, IScriptStore store, ScriptCatalog catalog, HttpContext context)
    {
        if (!hash.EndsWith(".ts", StringComparison.Ordinal))
        {
            return WindmillErrors.BadRequest("Raw script path must end with .ts");
        }

        var script = await ReadableHashAsync(workspace, hash[..^".ts".Length], store, catalog, context);
        return script.Refused ?? TypedResults.Text(script.Version!.Content, WindmillErrors.TextContentType);
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
        var script = await ReadableHashAsync(workspace, hash, store, catalog, context);
        return script.Refused ?? await RespondAsync(script.Version!, store, context);
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

    /// <summary>The version with <paramref name="hash"/>, archived or not; or the 400, 403 or 404 to answer instead.</summary>
    private static async Task<(ScriptVersion? Version, IResult? Refused)> ReadableHashAsync(string workspace, string hash, IScriptStore store,
        ScriptCatalog catalog, HttpContext context)
    {
        if (!ScriptHash.TryParse(hash, out var parsed))
        {
            return (null, InvalidHash(hash));
        }

        if (WindmillAccess.CanRead(context.User.ToCaller(), "scripts:read") is { } denied)
        {
            return (null, denied);
        }

        await catalog.EnsureDeployedAsync(context.RequestAborted);
        var script = await store.GetByHashAsync(workspace, parsed, context.RequestAborted);
        return script is null ? (null, WindmillErrors.NotFound($"Script not found at hash {parsed}")) : (script, null);
    }

    private static ContentHttpResult InvalidHash(string hash) => WindmillErrors.BadRequest($"invalid script hash: {hash}: expected 16 hex characters");

    private static string? NonEmpty(Microsoft.Extensions.Primitives.StringValues value) => value.ToString() is { Length: > 0 } text ? text : null;

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
