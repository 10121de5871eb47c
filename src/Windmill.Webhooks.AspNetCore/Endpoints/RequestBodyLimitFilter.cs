using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// Caps the request body of every Windmill route: a webhook run takes up to
/// <see cref="WindmillWebhooksOptions.MaxRequestBodySize"/>, every other route up to
/// <see cref="WindmillWebhooksOptions.MaxApiRequestBodySize"/>. A declared length over the cap is refused before
/// anything is read; a body without one (chunked) fails with the same 413 as soon as it passes the cap.
/// </summary>
internal sealed class RequestBodyLimitFilter(IOptions<WindmillWebhooksOptions> options) : IEndpointFilter
{
    /// <summary>Endpoint metadata of the routes that take a webhook body.</summary>
    public static readonly object WebhookBody = new WebhookBodyMarker();

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var limit = http.GetEndpoint()?.Metadata.GetMetadata<WebhookBodyMarker>() is null
            ? options.Value.MaxApiRequestBodySize
            : options.Value.MaxRequestBodySize;
        if (http.Request.ContentLength > limit)
        {
            return ValueTask.FromResult<object?>(WindmillErrors.PayloadTooLarge(BoundedRequestBody.Exceeded(limit)));
        }

        http.Request.Body = new BoundedRequestBody(http.Request.Body, limit);
        return next(context);
    }

    private sealed class WebhookBodyMarker;
}
