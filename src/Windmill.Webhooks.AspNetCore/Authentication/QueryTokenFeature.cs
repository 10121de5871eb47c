using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Windmill.Webhooks.AspNetCore.Authentication;

/// <summary>Holds a <c>?token=</c> value taken out of the request's query string.</summary>
internal sealed class QueryTokenFeature(string token)
{
    public string Token { get; } = token;
}

/// <summary>
/// Takes <c>token=</c> out of the query string of requests to the Windmill routes as the server hands
/// them over, before ASP.NET Core's hosting diagnostics, HTTP logging or any middleware can log the URL.
/// </summary>
internal sealed class QueryTokenScrubbingHttpContextFactory(IHttpContextFactory inner, WindmillRoutePrefixes prefixes) : IHttpContextFactory
{
    public HttpContext Create(IFeatureCollection featureCollection)
    {
        if (featureCollection.Get<IHttpRequestFeature>() is { } request
            && prefixes.Covers(request.Path)
            && TryRemoveToken(request.QueryString, out var token, out var remaining))
        {
            request.QueryString = remaining;
            var query = request.RawTarget.IndexOf('?', StringComparison.Ordinal);
            if (query >= 0)
            {
                request.RawTarget = request.RawTarget[..query] + remaining;
            }

            featureCollection.Set(new QueryTokenFeature(token));
        }

        return inner.Create(featureCollection);
    }

    public void Dispose(HttpContext httpContext) => inner.Dispose(httpContext);

    internal static bool TryRemoveToken(string queryString, out string token, out string remaining)
    {
        token = "";
        remaining = queryString;
        if (!queryString.Contains(WindmillTokenDefaults.QueryParameter + "=", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var kept = new StringBuilder();
        var found = false;
        foreach (var pair in queryString.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString((equals < 0 ? pair : pair[..equals]).Replace('+', ' '));
            // Any spelling is removed: ASP.NET Core's query lookup ignores case, so any spelling could authenticate.
            if (string.Equals(key, WindmillTokenDefaults.QueryParameter, StringComparison.OrdinalIgnoreCase))
            {
                // Windmill takes the first; every copy is removed so none can be logged.
                token = found ? token : Uri.UnescapeDataString((equals < 0 ? "" : pair[(equals + 1)..]).Replace('+', ' '));
                found = true;
                continue;
            }

            kept.Append(kept.Length == 0 ? '?' : '&').Append(pair);
        }

        remaining = kept.ToString();
        return found;
    }
}

/// <summary>The path prefixes under which <c>MapWindmillWebhooks</c> mapped the routes.</summary>
internal sealed class WindmillRoutePrefixes
{
    /// <summary>The instance that <c>AddWindmillWebhooks()</c> registered; without it, the exception that names the call to add.</summary>
    public static WindmillRoutePrefixes From(IServiceProvider services) =>
        (WindmillRoutePrefixes?)services.GetService(typeof(WindmillRoutePrefixes))
        ?? throw new InvalidOperationException(
            "Unable to find the required services. Add them by calling 'builder.Services.AddWindmillWebhooks()' in the application's service configuration.");

    private volatile string[] _prefixes = [];

    public void Add(string prefix) => _prefixes = [.. _prefixes, prefix.TrimEnd('/') + "/"];

    /// <summary>How many prefixes were mapped.</summary>
    public int Count => _prefixes.Length;

    /// <summary>The first prefix mapped, without its trailing slash (<c>""</c> for the root), or <see langword="null"/> before any.</summary>
    public string? First => _prefixes.Length == 0 ? null : _prefixes[0].TrimEnd('/');

    public bool Covers(string path)
    {
        foreach (var prefix in _prefixes)
        {
            if (path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || prefix == "/")
            {
                return true;
            }
        }

        return false;
    }
}
