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
}
