using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Windmill.Webhooks.AspNetCore.Authentication;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Tests.Tokens;

/// <summary>
/// A host with in-memory stores, a fake clock, admin token <see cref="AdminToken"/>, admin user <c>ops</c>,
/// a host scheme <c>Host</c> that trusts the header <c>X-Host-User</c>, and the client address taken
/// from <c>X-Test-Client</c> (127.0.0.1 by default).
/// </summary>
internal sealed class TokenApiHost : IAsyncDisposable
{
    public const string AdminToken = "admin-secret-for-tests";

    private readonly WebApplication _app;

    private TokenApiHost(WebApplication app, FakeTimeProvider time)
    {
        _app = app;
        Time = time;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public FakeTimeProvider Time { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="logs">Receives every log line, when given.</param>
    /// <param name="configureServices">Adds to the host's services after the Windmill ones.</param>
    /// <param name="configureApp">Adds middleware after the one that sets the client address, and endpoints.</param>
    public static async Task<TokenApiHost> StartAsync(ILoggerProvider? logs = null, Action<IServiceCollection>? configureServices = null,
        Action<WebApplication>? configureApp = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
        }

        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services
            .AddWindmillWebhooks(options =>
            {
                options.AdminToken = AdminToken;
                options.Admins.Add("ops");
            })
            .UseInMemoryStores()
            .AddScript("u/alice/hello", (string name = "world") => $"Hello, {name}!")
            .AddScript("u/alice/other", () => 1)
            .AddScript("u/alice/block", async (CancellationToken cancellationToken) =>
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return 0;
            });
        builder.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, HeaderUserHandler>("Host", null);
        builder.Services.Configure<WindmillTokenAuthenticationOptions>(WindmillTokenDefaults.AuthenticationScheme, o => o.HostSchemes.Add("Host"));
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.Use((context, next) =>
        {
            context.Connection.RemoteIpAddress = IPAddress.Parse(context.Request.Headers["X-Test-Client"].FirstOrDefault() ?? "127.0.0.1");
            return next(context);
        });
        configureApp?.Invoke(app);
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapWindmillWebhooks();
        await app.StartAsync();
        return new TokenApiHost(app, time);
    }

    /// <summary>Mints a token for any user without the API's rules, as host code can.</summary>
    public async Task<string> MintAsync(string owner, bool superAdmin = false, IReadOnlyList<string>? scopes = null, string? workspace = null,
        DateTimeOffset? expiration = null, bool readOnly = false, string? label = null)
    {
        var (token, _) = await Services.GetRequiredService<TokenService>().CreateAsync(new NewTokenRequest
        {
            Owner = owner,
            SuperAdmin = superAdmin,
            Scopes = scopes,
            WorkspaceId = workspace,
            Expiration = expiration,
            ReadOnly = readOnly,
            Label = label,
        }, CancellationToken.None);
        return token;
    }

    /// <summary>Every stored token, whoever owns it, read from the store behind the API.</summary>
    public async Task<List<ApiToken>> StoredTokensAsync() =>
        await Services.GetRequiredService<ITokenStore>().ListAsync(null, CancellationToken.None).ToListAsync();

    /// <summary>The audit entries of the <c>global</c> workspace (token operations), newest first, read from the sink.</summary>
    public async Task<IReadOnlyList<AuditEntry>> TokenAuditAsync() =>
        await ((IAuditLogReader)Services.GetRequiredService<IAuditSink>()).ListAsync(new AuditQuery { WorkspaceId = "global" }, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>The host's own scheme: trusts <c>X-Host-User</c>, as a cookie scheme would trust its cookie.</summary>
    private sealed class HeaderUserHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
            Task.FromResult(Request.Headers["X-Host-User"].FirstOrDefault() is { Length: > 0 } user
                ? AuthenticateResult.Success(new AuthenticationTicket(
                    new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], Scheme.Name)), Scheme.Name))
                : AuthenticateResult.NoResult());
    }
}

internal static class HttpExtensions
{
    public static HttpRequestMessage As(this HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    public static HttpRequestMessage Json(this HttpRequestMessage request, string json)
    {
        request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        return request;
    }

    public static async Task<(HttpStatusCode Status, string? ContentType, string Body)> SendAsync(this HttpClient client, HttpMethod method, string url,
        string token, string? json = null)
    {
        using var request = new HttpRequestMessage(method, url).As(token);
        if (json is not null)
        {
            request.Json(json);
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsStringAsync());
    }
}
