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
}
