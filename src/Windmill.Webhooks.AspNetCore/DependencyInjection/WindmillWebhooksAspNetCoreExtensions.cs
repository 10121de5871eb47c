using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
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
        services.AddOptions<WindmillTokenAuthenticationOptions>(WindmillTokenDefaults.AuthenticationScheme).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WindmillTokenAuthenticationOptions>, WindmillTokenAuthenticationOptionsValidator>());
        ScrubQueryTokens(services);
        return builder;
    }

    /// <summary>
    /// <see cref="AddWindmillWebhooks(IServiceCollection, Action{WindmillWebhooksOptions}?)"/>, with every option bound from
    /// <paramref name="configuration"/> (typically <c>builder.Configuration.GetSection("Windmill")</c>): the core's by their
    /// names (<c>Windmill:WorkerCount</c>), and the <c>WindmillToken</c> scheme's from the subsection <c>Authentication</c>
    /// (<c>Windmill:Authentication:AcceptQueryString</c>). Values are checked when the host starts; a value that does not
    /// convert or is out of range stops it with a message naming the key.
    /// </summary>
    public static WindmillWebhooksBuilder AddWindmillWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddWindmillWebhooks();
        var builder = services.AddWindmillWebhooksCore(configuration);
        services.AddOptions<WindmillTokenAuthenticationOptions>(WindmillTokenDefaults.AuthenticationScheme)
            .Bind(configuration.GetSection(WindmillTokenAuthenticationOptionsValidator.Section));
        return builder;
    }

    /// <summary>
    /// <see cref="AddWindmillWebhooks(IServiceCollection, Action{WindmillWebhooksOptions}?)"/>, configuring the options with
    /// the application's services (a secret store, say). Values are checked when the host starts.
    /// </summary>
    public static WindmillWebhooksBuilder AddWindmillWebhooks(this IServiceCollection services, Action<WindmillWebhooksOptions, IServiceProvider> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddWindmillWebhooks();
        return services.AddWindmillWebhooksCore(configure);
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
