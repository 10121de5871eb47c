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
    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>The body as <typeparamref name="T"/>, or a 400 <c>Bad request: invalid json: …</c> (413 when too large).</summary>
    public static async Task<(T? Value, IResult? Error)> ReadJsonAsync<T>(HttpContext context, JsonTypeInfo<T> type) where T : class
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return (null, WindmillErrors.Text(StatusCodes.Status413PayloadTooLarge, $"Payload too large: the body exceeds {MaxBodyBytes} bytes"));
        }

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
