using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Windmill.Webhooks.AspNetCore.Authentication;
using Windmill.Webhooks.AspNetCore.Endpoints;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Windmill's webhook, job and script routes.</summary>
public static class WindmillWebhooksEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, under <paramref name="prefix"/>, the routes of Windmill's API that this library serves, in
    /// Windmill's wire format: <c>/w/{workspace}/jobs/run/…</c>, <c>/jobs/run_wait_result/…</c>,
    /// <c>/jobs_u/…</c>, <c>/jobs/list</c>, <c>/scripts/…</c>, <c>/audit/…</c>, <c>/users/whoami</c> and <c>/users/tokens/…</c>. Returns the group's
    /// builder, so the host can add
    /// <c>RequireRateLimiting</c>, <c>RequireCors</c>, <c>WithRequestTimeout</c> and the like.
    /// </summary>
    public static IEndpointConventionBuilder MapWindmillWebhooks(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string prefix = "/api")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var prefixes = WindmillRoutePrefixes.From(endpoints.ServiceProvider);
        var mapping = prefixes.Count;
        prefixes.Add(prefix);

        var group = endpoints.MapGroup(prefix)
            .WithMetadata(WindmillRouteMetadata.Instance)
            .AddEndpointFilter<RouteGroupBuilder, WindmillErrorFilter>()
            .AddEndpointFilter<RouteGroupBuilder, RequestBodyLimitFilter>();

        // For OpenAPI: what any route may answer (bad input, no token, too large, too many failures, storage down), and its credentials.
        group.ProducesText(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status413PayloadTooLarge,
                StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable)
            .WithTokenSecurity()
            .NameOperations(mapping);
        var workspace = group.MapGroup("/w/{workspace}");
        WebhookEndpoints.Map(workspace.MapGroup("").WithMetadata(RequestBodyLimitFilter.WebhookBody));
        JobEndpoints.Map(workspace);
        JobListEndpoints.Map(workspace);
        ScriptEndpoints.Map(workspace);
        FlowEndpoints.Map(workspace);
        AuditEndpoints.Map(workspace);
        UserEndpoints.Map(workspace);
        TokenEndpoints.Map(group);
        return group;
    }
}
