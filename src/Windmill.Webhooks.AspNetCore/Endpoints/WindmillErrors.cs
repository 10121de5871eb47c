using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// The one place that writes errors, in Windmill's format: <c>text/plain</c>, the body being the
/// error's prefix and message, such as <c>Not found: …</c>.
/// </summary>
internal static class WindmillErrors
{
    public const string TextContentType = "text/plain; charset=utf-8";

    public static ContentHttpResult BadRequest(string message) => Text(StatusCodes.Status400BadRequest, "Bad request: " + message);

    public static ContentHttpResult Unauthorized() => Text(StatusCodes.Status401Unauthorized, "Not authorized: Unauthorized");

    public static ContentHttpResult NotAuthorized(string message) => Text(StatusCodes.Status401Unauthorized, "Not authorized: " + message);

    public static ContentHttpResult PermissionDenied(string message) => Text(StatusCodes.Status403Forbidden, "Permission denied: " + message);

    public static ContentHttpResult RequireAdmin(string what) => Text(StatusCodes.Status403Forbidden, "Require Admin privileges for " + what);

    /// <summary>429 with <c>Retry-After</c> in whole seconds, rounded up.</summary>
    public static ContentHttpResult TooManyFailedAttempts(HttpContext context, TimeSpan retryAfter)
    {
        var seconds = (long)Math.Ceiling(retryAfter.TotalSeconds);
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Text(StatusCodes.Status429TooManyRequests, $"Too many requests: too many failed authentication attempts, retry in {seconds}s");
    }

    public static ContentHttpResult PayloadTooLarge(string message) => Text(StatusCodes.Status413PayloadTooLarge, "Payload too large: " + message);

    public static ContentHttpResult NotFound(string message) => Text(StatusCodes.Status404NotFound, "Not found: " + message);

    /// <summary>Windmill's <c>ExecutionErr</c>: a 500 whose body is the bare message, such as <c>timeout after 600s</c>.</summary>
    public static ContentHttpResult ExecutionError(string message) => Text(StatusCodes.Status500InternalServerError, message);

    /// <summary>503 when the storage refuses (disk full, read-only) or the host is shutting down; retrying later may succeed.</summary>
    public static ContentHttpResult ServiceUnavailable(string message) => Text(StatusCodes.Status503ServiceUnavailable, "Service unavailable: " + message);

    /// <summary>Windmill's <c>InternalErr</c>: a 500 for an unexpected failure, with no stack trace.</summary>
    public static ContentHttpResult Internal(string message) => Text(StatusCodes.Status500InternalServerError, "Internal: " + message);

    public static ContentHttpResult Text(int status, string body) => TypedResults.Text(body, TextContentType, statusCode: status);
}
