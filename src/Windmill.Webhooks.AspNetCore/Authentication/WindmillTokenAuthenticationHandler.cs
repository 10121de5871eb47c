using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.AspNetCore.Endpoints;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Authentication;

/// <summary>
/// Authenticates Windmill API tokens from <c>Authorization: Bearer</c>, then the cookie <c>token</c>,
/// then <c>?token=</c>. A missing, unknown, malformed, expired or wrong-workspace token all get the
/// same 401 <c>Not authorized: Unauthorized</c>.
/// </summary>
public sealed partial class WindmillTokenAuthenticationHandler : AuthenticationHandler<WindmillTokenAuthenticationOptions>
{
    private const string BearerPrefix = "Bearer ";
    private readonly TokenService _tokens;

    /// <summary>Creates the handler.</summary>
    public WindmillTokenAuthenticationHandler(IOptionsMonitor<WindmillTokenAuthenticationOptions> options, ILoggerFactory logger,
        UrlEncoder encoder, TokenService tokens)
        : base(options, logger, encoder) => _tokens = tokens;

    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = FindToken();
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }

        var token = await _tokens.ValidateAsync(presented, Context.RequestAborted).ConfigureAwait(false);
        if (token is null)
        {
            // Never the token itself: this message reaches the host's logs.
            return AuthenticateResult.Fail("The token is unknown, malformed or expired.");
        }

        if (token.WorkspaceId is not null && Context.GetRouteValue("workspace") is string workspace && workspace != token.WorkspaceId)
        {
            return AuthenticateResult.Fail("The token is bound to another workspace.");
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, token.Owner), new(WindmillClaimTypes.TokenPrefix, token.Prefix) };
        if (token.SuperAdmin)
        {
            claims.Add(new(WindmillClaimTypes.SuperAdmin, "true"));
        }

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
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name, ClaimTypes.Name, ClaimTypes.Role));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    /// <inheritdoc />
    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WindmillErrors.Unauthorized().ExecuteAsync(Context);

    /// <inheritdoc />
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WindmillErrors.PermissionDenied("Access denied").ExecuteAsync(Context);

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
            return cookie;
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
