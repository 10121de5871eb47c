using System.Security.Claims;
using Windmill.Webhooks.AspNetCore.Authentication;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>Reads the Windmill caller out of an authenticated principal.</summary>
internal static class WindmillPrincipal
{
    public static Caller ToCaller(this ClaimsPrincipal principal) =>
        new(principal.Identity?.Name ?? throw new InvalidOperationException("The Windmill routes need an authenticated principal with a name."),
            principal.HasClaim(WindmillClaimTypes.SuperAdmin, "true"));
}
