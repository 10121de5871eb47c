using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.AspNetCore.Endpoints;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Authentication;

/// <summary>
/// Authenticates Windmill API tokens from <c>Authorization: Bearer</c>, then the cookie <c>token</c>,
/// then <c>?token=</c>; without a token, optionally the host's own schemes. The cookie and the host schemes
/// count only for same-origin requests that send <see cref="WindmillTokenDefaults.CsrfHeaderName"/> (CSRF). A missing, unknown,
/// malformed, expired or wrong-workspace token all get the same 401 <c>Not authorized: Unauthorized</c>;
/// an address that failed too often gets 429 with <c>Retry-After</c> for unknown tokens, never for valid ones.
/// </summary>
public sealed partial class WindmillTokenAuthenticationHandler : AuthenticationHandler<WindmillTokenAuthenticationOptions>
{
    private const string BearerPrefix = "Bearer ";
    private readonly TokenService _tokens;
    private readonly FailedAuthenticationLimiter _limiter;
    private readonly WindmillWebhooksOptions _windmill;

    /// <summary>Creates the handler.</summary>
    public WindmillTokenAuthenticationHandler(IOptionsMonitor<WindmillTokenAuthenticationOptions> options, ILoggerFactory logger,
        UrlEncoder encoder, TokenService tokens, IServiceProvider services, IOptions<WindmillWebhooksOptions> windmill)
        : base(options, logger, encoder)
    {
        ArgumentNullException.ThrowIfNull(windmill);
        _tokens = tokens;
        _limiter = services.GetRequiredService<FailedAuthenticationLimiter>();
        _windmill = windmill.Value;
    }

    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = FindToken();
        if (presented is null)
        {
            return await AuthenticateHostUserAsync().ConfigureAwait(false);
        }

        // Known tokens are answered from memory; only the store lookups of an address over the limit are gated.
        var token = _tokens.TryValidateFromMemory(presented, out var remembered)
            ? remembered
            : await _limiter.LookUpAsync(Context.Connection.RemoteIpAddress, () => _tokens.ValidateAsync(presented, Context.RequestAborted),
                Context.RequestAborted).ConfigureAwait(false);
        if (token is null
            || (token.WorkspaceId is not null && Context.GetRouteValue("workspace") is string workspace && workspace != token.WorkspaceId))
        {
            // Counted (or answered 429) only where a Windmill route refuses the request: see FailedAuthenticationLimiter.Refuse.
            Context.Features.Set(FailedTokenFeature.Instance);
            // Never the token itself: this message reaches the host's logs.
            return AuthenticateResult.Fail("The token is unknown, malformed, expired or bound to another workspace.");
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, token.Owner), new(WindmillClaimTypes.TokenPrefix, token.Prefix) };
        AddRights(claims, token.Owner, isAdmin: false, token.SuperAdmin);
        if (token.ReadOnly)
        {
            claims.Add(new(WindmillClaimTypes.ReadOnly, "true"));
        }

        if (token.Label is not null)
        {
            claims.Add(new(WindmillClaimTypes.TokenLabel, token.Label));
        }

        if (token.WorkspaceId is not null)
        {
            claims.Add(new(WindmillClaimTypes.Workspace, token.WorkspaceId));
        }

        claims.AddRange((token.Scopes ?? []).Select(scope => new Claim(WindmillClaimTypes.Scope, scope)));
        return Success(claims);
    }

    /// <inheritdoc />
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        if (_limiter.Refuse(Context) is { } refused)
        {
            await refused.ExecuteAsync(Context).ConfigureAwait(false);
            return;
        }

        if (Context.Features.Get<AmbientCredentialRefusedFeature>() is not null)
        {
            await WindmillErrors.NotAuthorized(AmbientCredentialRefusedFeature.Message).ExecuteAsync(Context).ConfigureAwait(false);
            return;
        }

        await WindmillErrors.Unauthorized().ExecuteAsync(Context).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WindmillErrors.PermissionDenied("Access denied").ExecuteAsync(Context);

    private async Task<AuthenticateResult> AuthenticateHostUserAsync()
    {
        foreach (var scheme in Options.HostSchemes)
        {
            var result = await Context.AuthenticateAsync(scheme).ConfigureAwait(false);
            if (result.Succeeded && Options.MapHostUser(result.Principal) is { } user)
            {
                // A host sign-in usually rides on a cookie, so it gets the same CSRF rule as the cookie token.
                if (!CrossSiteRequestGuard.AllowsAmbientCredentials(Request))
                {
                    Context.Features.Set(AmbientCredentialRefusedFeature.Instance);
                    return AuthenticateResult.NoResult();
                }

                var claims = new List<Claim> { new(ClaimTypes.Name, user.Username) };
                AddRights(claims, user.Username, user.IsAdmin, user.IsSuperAdmin);
                return Success(claims);
            }
        }

        return AuthenticateResult.NoResult();
    }

    private void AddRights(List<Claim> claims, string username, bool isAdmin, bool isSuperAdmin)
    {
        if (isSuperAdmin)
        {
            claims.Add(new(WindmillClaimTypes.SuperAdmin, "true"));
        }

        if (isSuperAdmin || isAdmin || _windmill.Admins.Contains(username))
        {
            claims.Add(new(WindmillClaimTypes.Admin, "true"));
        }
    }

    private AuthenticateResult Success(List<Claim> claims)
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name, ClaimTypes.Name, ClaimTypes.Role));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    private string? FindToken()
    {
        if (Options.AcceptBearerHeader)
        {
            var authorization = Request.Headers.Authorization.ToString();
            if (authorization.StartsWith(BearerPrefix, StringComparison.Ordinal))
            {
                return authorization[BearerPrefix.Length..].Trim();
            }
        }

        if (Options.AcceptCookie && Request.Cookies.TryGetValue(WindmillTokenDefaults.CookieName, out var cookie) && cookie.Length > 0)
        {
            if (CrossSiteRequestGuard.AllowsAmbientCredentials(Request))
            {
                return cookie;
            }

            // Not a token for this request; a ?token= may still be.
            Context.Features.Set(AmbientCredentialRefusedFeature.Instance);
        }

        if (Options.AcceptQueryString)
        {
            if (Context.Features.Get<QueryTokenFeature>() is { } scrubbed)
            {
                return scrubbed.Token;
            }

            // Only when the routes were mapped outside the scrubbed prefixes.
            if (Request.Query.TryGetValue(WindmillTokenDefaults.QueryParameter, out var query) && query.Count > 0)
            {
                return query[0];
            }
        }

        return null;
    }
}
