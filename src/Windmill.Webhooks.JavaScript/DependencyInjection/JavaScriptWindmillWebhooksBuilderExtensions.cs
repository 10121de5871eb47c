using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Windmill.Webhooks;
using Windmill.Webhooks.Flows;
using Windmill.Webhooks.JavaScript;
using Windmill.Webhooks.JavaScript.Compilation;
using Windmill.Webhooks.JavaScript.Execution;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Turns on stored TypeScript and JavaScript scripts.</summary>
public static class JavaScriptWindmillWebhooksBuilderExtensions
{
    /// <summary>
    /// Stores and runs scripts in Windmill's <c>bun</c>, <c>deno</c>, <c>nativets</c> (TypeScript) and <c>javascript</c>
    /// languages, in an embedded sandbox (Jint) with no access to the CLR, the file system or the network
    /// (<c>javascript</c> is this library's extension: Windmill's own language list has no plain JavaScript).
    /// TypeScript's types are stripped once per version, when it is created, by a type stripper in this package
    /// (no Node.js and no network at run time); <c>main</c>'s parameters become the version's JSON schema. The stripper
    /// replaces types with spaces, so lines and columns stay the source's; it is this package's own because NuGet offers
    /// no TypeScript transpiler, and a JavaScript one from npm would run inside the interpreter and give no parameter types.
    /// Flows' JavaScript expressions (input transforms, conditions, iterators) are evaluated in the same sandbox.
    /// Calling it again only adds <paramref name="configure"/>.
    /// </summary>
    /// <param name="builder">The builder from <c>AddWindmillWebhooks()</c>.</param>
    /// <param name="configure">
    /// Sets the sandbox's limits and the hosts that <c>fetch</c> may reach. The <see cref="System.Net.Http.HttpClient"/>
    /// named <see cref="JavaScriptOptions.FetchHttpClientName"/> is registered with its handler's own redirects turned
    /// off: <c>fetch</c> follows them itself, checking each target against the allowed hosts.
    /// </param>
    public static WindmillWebhooksBuilder AddJavaScript(this WindmillWebhooksBuilder builder, Action<JavaScriptOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<JavaScriptOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.AddHttpClient(JavaScriptOptions.FetchHttpClientName);

        // fetch follows redirects itself, checking each target against the allowed hosts; the handler must not. A
        // post-configuration runs after the host's own configuration, so it reaches the primary handler the host chose.
        builder.Services.PostConfigure<HttpClientFactoryOptions>(JavaScriptOptions.FetchHttpClientName, options =>
            options.HttpMessageHandlerBuilderActions.Add(handlers => TurnOffRedirects(handlers.PrimaryHandler)));
        builder.Services.TryAddSingleton<JavaScriptCompiler>();
        builder.Services.TryAddSingleton<IJavaScriptEngine, JintJavaScriptEngine>();
        builder.Services.TryAddSingleton<IFlowExpressionEvaluator, JintFlowExpressionEvaluator>();
        return builder.AddScriptCompiler<JavaScriptCompiler>().AddJobExecutor<JavaScriptJobExecutor>();
    }

    private static void TurnOffRedirects(HttpMessageHandler handler)
    {
        switch (handler)
        {
            case SocketsHttpHandler sockets:
                sockets.AllowAutoRedirect = false;
                break;
            case HttpClientHandler client:
                client.AllowAutoRedirect = false;
                break;
        }
    }
}
