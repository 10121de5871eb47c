using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.AspNetCore.Authentication;
using Windmill.Webhooks.AspNetCore.Endpoints;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Dashboard;

/// <summary>
/// Sign-in by pasting a token: <c>POST {dashboard}/session</c> with <c>{"token": "…"}</c> checks it and keeps it in
/// the cookie <c>token</c> (HttpOnly, so no script reads it back; SameSite=Strict, so no other site sends it);
/// <c>DELETE</c> signs out. Both take only same-origin requests with the CSRF header, as the API does.
/// </summary>
internal static class DashboardSession
{
    public static async Task<IResult> SignInAsync(HttpContext context, TokenService tokens)
    {
        if (RefuseCrossSite(context) is { } refused)
        {
            return refused;
        }

        var (request, error) = await WindmillRequests.ReadJsonAsync(context, WindmillJsonContext.Wire.SessionRequestJson);
        if (error is not null)
        {
            return error;
        }

        // As in the authentication handler: a valid token is never refused for other callers' failures.
        var limiter = context.RequestServices.GetRequiredService<FailedAuthenticationLimiter>();
        var token = tokens.TryValidateFromMemory(request!.Token, out var remembered)
            ? remembered
            : await limiter.LookUpAsync(context.Connection.RemoteIpAddress, () => tokens.ValidateAsync(request.Token, context.RequestAborted),
                context.RequestAborted);
        var workspace = context.RequestServices.GetRequiredService<IOptions<WindmillWebhooksOptions>>().Value.DefaultWorkspace;
        if (token is null || (token.WorkspaceId is not null && token.WorkspaceId != workspace))
        {
            context.Features.Set(FailedTokenFeature.Instance);
            return limiter.Refuse(context) ?? WindmillErrors.Unauthorized();
        }

        context.Response.Cookies.Append(WindmillTokenDefaults.CookieName, request.Token!, CookieOptions(context, token.Expiration));
        return TypedResults.NoContent();
    }

    public static IResult SignOut(HttpContext context)
    {
        if (RefuseCrossSite(context) is { } refused)
        {
            return refused;
        }

        context.Response.Cookies.Delete(WindmillTokenDefaults.CookieName, CookieOptions(context, expires: null));
        return TypedResults.NoContent();
    }

    private static ContentHttpResult? RefuseCrossSite(HttpContext context) =>
        CrossSiteRequestGuard.AllowsAmbientCredentials(context.Request)
            ? null
            : WindmillErrors.PermissionDenied("cross-site request refused: send the header " + WindmillTokenDefaults.CsrfHeaderName + " from this origin");

    private static CookieOptions CookieOptions(HttpContext context, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        // The API and the dashboard may sit under different prefixes of the app.
        Path = context.Request.PathBase.HasValue ? context.Request.PathBase.Value : "/",
        Expires = expires,
        IsEssential = true,
    };
}

/// <summary>The body of a sign-in.</summary>
internal sealed record SessionRequestJson(string? Token);
