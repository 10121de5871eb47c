using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Windmill.Webhooks;
using Windmill.Webhooks.AspNetCore.Authentication;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Windmill.Webhooks with its HTTP surface.</summary>
public static class WindmillWebhooksAspNetCoreExtensions
{
    /// <summary>
    /// Registers everything <c>MapWindmillWebhooks()</c> needs: the core (scripts, the durable job runner,
    /// tokens, audit log; SQLite by default), the <c>WindmillToken</c> authentication scheme and its
    /// authorization policy. Idempotent; the application's own registrations win.
    /// </summary>
    public static WindmillWebhooksBuilder AddWindmillWebhooks(this IServiceCollection services, Action<WindmillWebhooksOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddWindmillWebhooksCore(configure);
        if (services.Any(d => d.ServiceType == typeof(WindmillRoutePrefixes)))
        {
            return builder;
        }

        services.AddSingleton<WindmillRoutePrefixes>();
        services.AddSingleton<FailedAuthenticationLimiter>();
        services.AddAuthentication()
            .AddScheme<WindmillTokenAuthenticationOptions, WindmillTokenAuthenticationHandler>(WindmillTokenDefaults.AuthenticationScheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(WindmillTokenDefaults.PolicyName, policy => policy
                .AddAuthenticationSchemes(WindmillTokenDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser());
        ScrubQueryTokens(services);
        return builder;
    }

    // Wraps the server's HttpContext factory, so a ?token= is gone before the hosting layer logs the URL.
    private static void ScrubQueryTokens(IServiceCollection services)
    {
        var existing = services.LastOrDefault(d => d.ServiceType == typeof(IHttpContextFactory));
        services.RemoveAll<IHttpContextFactory>();
        services.AddSingleton<IHttpContextFactory>(sp =>
        {
            var inner = existing switch
            {
                null => ActivatorUtilities.CreateInstance<DefaultHttpContextFactory>(sp),
                { ImplementationInstance: IHttpContextFactory instance } => instance,
                { ImplementationFactory: { } factory } => (IHttpContextFactory)factory(sp),
                _ => (IHttpContextFactory)ActivatorUtilities.CreateInstance(sp, existing.ImplementationType!),
            };
            return new QueryTokenScrubbingHttpContextFactory(inner, sp.GetRequiredService<WindmillRoutePrefixes>());
        });
    }
}
