using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Windmill.Webhooks.AspNetCore.Authentication;
using Windmill.Webhooks.AspNetCore.Dashboard;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Windmill dashboard.</summary>
public static class WindmillDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, under <paramref name="prefix"/>, the dashboard: pages for scripts and their webhooks, jobs,
    /// tokens and the audit log, served from this package (no CDN) under a strict Content-Security-Policy.
    /// Its pages call only the routes of <c>MapWindmillWebhooks()</c> (the first prefix mapped), so a user sees
    /// what the API lets them see. People sign in by pasting a token, which <c>POST {prefix}/session</c> keeps in
    /// the HttpOnly, SameSite=Strict cookie <c>token</c>, or through the host's own sign-in
    /// (<see cref="WindmillTokenAuthenticationOptions.HostSchemes"/>). Returns the group's builder, so the host can
    /// add <c>RequireAuthorization</c> and the like.
    /// </summary>
    public static IEndpointConventionBuilder MapWindmillDashboard(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string prefix = "/windmill")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        _ = WindmillRoutePrefixes.From(endpoints.ServiceProvider);

        var group = endpoints.MapGroup(prefix).ExcludeFromDescription(); // pages, not an API
        group.AddEndpointFilter(async (context, next) =>
        {
            DashboardPages.AddSecurityHeaders(context.HttpContext.Response);
            return await next(context);
        });
        group.MapGet("/assets/{name}", DashboardPages.Asset);
        // A failed sign-in counts toward the per-address limit like a refused API call.
        group.MapPost("/session", DashboardSession.SignInAsync).WithMetadata(WindmillRouteMetadata.Instance);
        group.MapDelete("/session", DashboardSession.SignOut);
        group.MapGet("/{**page}", (HttpContext context) => DashboardPages.Shell(context, prefix));
        return group;
    }
}
