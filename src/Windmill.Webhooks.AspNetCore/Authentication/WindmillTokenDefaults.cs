namespace Windmill.Webhooks.AspNetCore.Authentication;

/// <summary>Names used by Windmill token authentication.</summary>
public static class WindmillTokenDefaults
{
    /// <summary>The authentication scheme.</summary>
    public const string AuthenticationScheme = "WindmillToken";

    /// <summary>The authorization policy that the Windmill routes require.</summary>
    public const string PolicyName = "Windmill";

    /// <summary>The cookie that may carry a token, as in Windmill.</summary>
    public const string CookieName = "token";

    /// <summary>The query parameter that may carry a token, as in Windmill.</summary>
    public const string QueryParameter = "token";

    /// <summary>
    /// The header that a request authenticated by a cookie (the cookie <c>token</c> or a host scheme) must
    /// send, with any value, from a same-origin page: a cross-site form or link cannot send it (CSRF).
    /// </summary>
    public const string CsrfHeaderName = "X-Windmill-Csrf";
}
