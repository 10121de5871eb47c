using Microsoft.AspNetCore.Http;

namespace Windmill.Webhooks.AspNetCore.Authentication;

/// <summary>
/// Decides whether a request may be authenticated by a credential the browser attaches on its own (the
/// cookie <c>token</c>, or a host scheme's cookie): only a same-origin script can have sent it. A cross-site
/// form or link cannot add the header <see cref="WindmillTokenDefaults.CsrfHeaderName"/>, and a cross-site
/// script cannot add it without a CORS preflight that the host would have to allow; the browser's
/// <c>Sec-Fetch-Site</c> (or, from older browsers, <c>Origin</c>) must name this origin too.
/// </summary>
internal static class CrossSiteRequestGuard
{
    public static bool AllowsAmbientCredentials(HttpRequest request)
    {
        if (request.Headers[WindmillTokenDefaults.CsrfHeaderName].ToString().Length == 0)
        {
            return false;
        }

        // Set by the browser itself; it sees through proxies that rewrite the scheme or the host.
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return site is "same-origin" or "none";
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0
            || (Uri.TryCreate(origin, UriKind.Absolute, out var parsed)
                && string.Equals(parsed.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>Set on a request whose cookie (or host sign-in) was not accepted because it may be cross-site; read when answering it.</summary>
internal sealed class AmbientCredentialRefusedFeature
{
    public static readonly AmbientCredentialRefusedFeature Instance = new();

    public const string Message =
        "a cookie authenticates only same-origin requests that send the header " + WindmillTokenDefaults.CsrfHeaderName;
}
