using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// Caps the request body of every Windmill route: a webhook run takes up to
/// <see cref="WindmillWebhooksOptions.MaxRequestBodySize"/>, a script's creation up to
/// <see cref="WindmillWebhooksOptions.MaxApiRequestBodySize"/> plus twice <see cref="WindmillWebhooksOptions.MaxScriptContentSize"/>
/// (its content, JSON-escaped), a flow's creation or update up to <see cref="WindmillWebhooksOptions.MaxApiRequestBodySize"/> plus twice
/// <see cref="WindmillWebhooksOptions.MaxFlowDefinitionSize"/>, every other route up to <see cref="WindmillWebhooksOptions.MaxApiRequestBodySize"/>. A declared length over the cap is refused before
/// anything is read; a body without one (chunked) fails with the same 413 as soon as it passes the cap.
/// </summary>
internal sealed class RequestBodyLimitFilter(IOptions<WindmillWebhooksOptions> options) : IEndpointFilter
{
    /// <summary>Endpoint metadata of the routes that take a webhook body.</summary>
    public static readonly object WebhookBody = new WebhookBodyMarker();

    /// <summary>Endpoint metadata of the route that takes a script's source.</summary>
    public static readonly object ScriptBody = new ScriptBodyMarker();

    /// <summary>Endpoint metadata of the routes that take a flow's definition.</summary>
    public static readonly object FlowBody = new FlowBodyMarker();

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var metadata = http.GetEndpoint()?.Metadata;
        var limit = metadata?.GetMetadata<WebhookBodyMarker>() is not null ? options.Value.MaxRequestBodySize
            : metadata?.GetMetadata<ScriptBodyMarker>() is not null ? options.Value.MaxApiRequestBodySize + 2L * options.Value.MaxScriptContentSize
            : metadata?.GetMetadata<FlowBodyMarker>() is not null ? options.Value.MaxApiRequestBodySize + 2L * options.Value.MaxFlowDefinitionSize
            : options.Value.MaxApiRequestBodySize;
        if (http.Request.ContentLength > limit)
        {
            return ValueTask.FromResult<object?>(WindmillErrors.PayloadTooLarge(BoundedRequestBody.Exceeded(limit)));
        }

        http.Request.Body = new BoundedRequestBody(http.Request.Body, limit);
        return next(context);
    }

    private sealed class WebhookBodyMarker;

    private sealed class ScriptBodyMarker;

    private sealed class FlowBodyMarker;
}
