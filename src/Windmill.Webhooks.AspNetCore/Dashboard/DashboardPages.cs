using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Windmill.Webhooks.AspNetCore.Authentication;
using Windmill.Webhooks.AspNetCore.Endpoints;

namespace Windmill.Webhooks.AspNetCore.Dashboard;

/// <summary>
/// The dashboard's page shell and its static assets, embedded in this assembly: hand-written HTML, CSS and
/// ES modules, so nothing is built or fetched at run time and the page works offline.
/// </summary>
internal static class DashboardPages
{
    private const string ResourcePrefix = "WindmillDashboard/";

    // Scripts and styles only from this origin, no inline code, no DOM sinks that take strings (Trusted Types),
    // no frames, forms only to this origin.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".html"] = "text/html; charset=utf-8",
    }.ToFrozenDictionary();

    private static readonly Lazy<FrozenDictionary<string, EmbeddedAsset>> Assets = new(LoadAssets);

    public static void AddSecurityHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
    }

    /// <summary>The one HTML page; the script in it draws every view. It holds no data, only where the API is.</summary>
    public static IResult Shell(HttpContext context, string prefix)
    {
        var services = context.RequestServices;
        var api = services.GetRequiredService<WindmillRoutePrefixes>().First;
        if (api is null)
        {
            return WindmillErrors.NotFound("the dashboard needs the Windmill routes: call app.MapWindmillWebhooks()");
        }

        var pathBase = context.Request.PathBase.Value ?? "";
        var html = Encoding.UTF8.GetString(Assets.Value["index.html"].Content)
            .Replace("%BASE%", HtmlEncoder.Default.Encode(pathBase + prefix.TrimEnd('/')), StringComparison.Ordinal)
            .Replace("%API%", HtmlEncoder.Default.Encode(pathBase + api), StringComparison.Ordinal)
            .Replace("%WORKSPACE%", HtmlEncoder.Default.Encode(services.GetRequiredService<IOptions<WindmillWebhooksOptions>>().Value.DefaultWorkspace),
                StringComparison.Ordinal);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Content(html, ContentTypes[".html"]);
    }

    /// <summary>A static asset by name, revalidated by its ETag so that a new package version is picked up at once.</summary>
    public static IResult Asset(string name, HttpContext context)
    {
        if (name == "index.html" || !Assets.Value.TryGetValue(name, out var asset))
        {
            return WindmillErrors.NotFound("no dashboard asset " + (name.Length <= 64 ? name : name[..64] + "…"));
        }

        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.ETag = asset.ETag;
        return context.Request.Headers.IfNoneMatch.ToString() == asset.ETag
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Bytes(asset.Content, asset.ContentType);
    }

    private static FrozenDictionary<string, EmbeddedAsset> LoadAssets()
    {
        var assembly = typeof(DashboardPages).Assembly;
        var assets = new Dictionary<string, EmbeddedAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..];
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..20]}\"";
            assets[name] = new EmbeddedAsset(content, ContentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream"), etag);
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed record EmbeddedAsset(byte[] Content, string ContentType, string ETag);
}
