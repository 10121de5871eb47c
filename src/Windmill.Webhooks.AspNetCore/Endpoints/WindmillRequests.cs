using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>Reads small JSON request bodies and paging parameters the way Windmill does.</summary>
internal static class WindmillRequests
{
    // Windmill's utils: DEFAULT_PER_PAGE = 1000, MAX_PER_PAGE = 10000.
    public const int DefaultPerPage = 1000;
    public const int MaxPerPage = 10_000;

    // A page with include_args holds at most this many args. Windmill's list_jobs and list_queue_jobs (windmill-api/src/jobs.rs)
    // have no such cap, per_page up to 10000 with args too; instead they refuse include_args on cloud-hosted instances.
    public const int MaxPerPageWithArgs = 100;

    /// <summary>
    /// The body as <typeparamref name="T"/>, or a 400 <c>Bad request: invalid json: …</c>. The body is already capped
    /// by <see cref="RequestBodyLimitFilter"/>.
    /// </summary>
    public static async Task<(T? Value, IResult? Error)> ReadJsonAsync<T>(HttpContext context, JsonTypeInfo<T> type) where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted);
            return value is null ? (null, WindmillErrors.BadRequest("invalid json: expected an object")) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, WindmillErrors.BadRequest("invalid json: " + e.Message));
        }
    }

    /// <summary>Windmill's <c>page</c> (1-based) and <c>per_page</c> (clamped to [1, 10000]) as offset and limit; <see langword="null"/> when not numbers.</summary>
    public static (int Offset, int Limit)? Paging(HttpRequest request)
    {
        var page = 1;
        var perPage = DefaultPerPage;
        if ((request.Query.TryGetValue("page", out var pageText) && !int.TryParse(pageText, out page))
            || (request.Query.TryGetValue("per_page", out var perPageText) && !int.TryParse(perPageText, out perPage)))
        {
            return null;
        }

        perPage = Math.Clamp(perPage, 1, MaxPerPage);
        page = Math.Max(page, 1);
        return ((int)Math.Min((long)(page - 1) * perPage, int.MaxValue), perPage);
    }
}
