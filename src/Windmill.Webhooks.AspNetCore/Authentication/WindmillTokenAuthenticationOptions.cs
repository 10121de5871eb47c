using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace Windmill.Webhooks.AspNetCore.Authentication;

/// <summary>Where the Windmill token handler looks for a token, in Windmill's order.</summary>
public sealed class WindmillTokenAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>Read <c>Authorization: Bearer &lt;token&gt;</c>. Default <see langword="true"/>.</summary>
    public bool AcceptBearerHeader { get; set; } = true;

    /// <summary>Read the cookie <c>token</c>. Default <see langword="true"/>.</summary>
    public bool AcceptCookie { get; set; } = true;

    /// <summary>
    /// Read the query parameter <c>?token=</c>, which Windmill's webhook snippets use. Default
    /// <see langword="true"/>. The value is taken out of the request before anything logs the URL.
    /// </summary>
    public bool AcceptQueryString { get; set; } = true;

    /// <summary>
    /// How many failed token checks one client address may make on Windmill's routes per <see cref="FailedAttemptWindow"/>
    /// before its unknown tokens get 429 with <c>Retry-After</c> (and its store lookups pass one at a time). A valid
    /// token from that address is still served. The address is the connection's, as the host's <c>ForwardedHeaders</c>
    /// middleware leaves it. Default 20; 0 turns the limit off.
    /// </summary>
    public int MaxFailedAttempts { get; set; } = 20;

    /// <summary>The window of <see cref="MaxFailedAttempts"/>. Default 1 minute.</summary>
    public TimeSpan FailedAttemptWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The host's own authentication schemes (a cookie or OpenID Connect scheme, say) to try when a request
    /// carries no Windmill token; a principal they authenticate acts as the user <see cref="MapHostUser"/> returns.
    /// </summary>
    public IList<string> HostSchemes { get; } = [];

    /// <summary>
    /// Maps a principal authenticated by one of <see cref="HostSchemes"/> to a Windmill user, or to
    /// <see langword="null"/> to refuse it. Default: its <c>Name</c>, without admin rights.
    /// </summary>
    public Func<ClaimsPrincipal, WindmillUser?> MapHostUser { get; set; } =
        principal => principal.Identity?.Name is { Length: > 0 } name ? new WindmillUser(name) : null;
}
