using System.Security.Claims;
using Windmill.Webhooks.AspNetCore.Authentication;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>Reads the Windmill caller out of an authenticated principal.</summary>
internal static class WindmillPrincipal
{
    public static Caller ToCaller(this ClaimsPrincipal principal)
    {
        var scopes = principal.FindAll(WindmillClaimTypes.Scope).Select(c => c.Value).ToList();
        return new Caller(principal.Identity?.Name ?? throw new InvalidOperationException("The Windmill routes need an authenticated principal with a name."))
        {
            IsSuperAdmin = principal.HasClaim(WindmillClaimTypes.SuperAdmin, "true"),
            IsAdmin = principal.HasClaim(WindmillClaimTypes.Admin, "true"),
            ReadOnly = principal.HasClaim(WindmillClaimTypes.ReadOnly, "true"),
            TokenLabel = principal.FindFirst(WindmillClaimTypes.TokenLabel)?.Value,
            WorkspaceId = principal.FindFirst(WindmillClaimTypes.Workspace)?.Value,
            Scopes = scopes.Count == 0 ? null : scopes,
        };
    }
}
