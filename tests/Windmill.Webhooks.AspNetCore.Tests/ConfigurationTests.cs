using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.AspNetCore.Authentication;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>
/// A host that binds its <c>Windmill</c> section with <c>AddWindmillWebhooks(section)</c>, as the sample does: a bad value
/// stops it at start with a message naming the key, and the HTTP options bind from <c>Windmill:Authentication</c>.
/// </summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Windmill:WorkerCount", "-2", "Windmill:WorkerCount must be 0 (run no jobs in this process) or more; it is -2")]
    [InlineData("Windmill:ShutdownGracePeriod", "-00:00:01", "Windmill:ShutdownGracePeriod must not be negative; it is -00:00:01")]
    [InlineData("Windmill:Authentication:MaxFailedAttempts", "-1", "Windmill:Authentication:MaxFailedAttempts must be 0 (no limit) or more; it is -1")]
    [InlineData("Windmill:Authentication:FailedAttemptWindow", "00:00:00",
        "Windmill:Authentication:FailedAttemptWindow must be a positive duration; it is 00:00:00")]
    public async Task An_out_of_range_value_stops_the_host_at_start_naming_the_key(string key, string value, string message)
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(key, value));

        Assert.Equal([message], refused.Failures);
    }

    [Fact]
    public async Task A_value_that_does_not_convert_stops_the_host_at_start_naming_the_key()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync("Windmill:WorkerCount", "many"));

        Assert.Equal("Failed to convert configuration value 'many' at 'Windmill:WorkerCount' to type 'System.Int32'.", refused.Message);
    }

    // The README's "Add it to your app" host, with one setting: started directly, not through WebApplicationFactory, whose
    // deferred host can report a start that failed as a disposed service provider instead of the failure.
    private static async Task StartAsync(string key, string value)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Configuration[key] = value;
        builder.Configuration["Windmill:AdminToken"] = "configuration-admin-token-0123456789";
        builder.Services.AddWindmillWebhooks(builder.Configuration.GetSection("Windmill")).UseInMemoryStores();
        await using var app = builder.Build();
        app.MapWindmillWebhooks();
        await app.StartAsync();
    }

    [Fact]
    public async Task The_authentication_section_binds_the_token_schemes_options()
    {
        await using var sample = new SampleApp();
        await using var configured = sample.WithWebHostBuilder(web =>
        {
            web.UseSetting("Windmill:Authentication:AcceptQueryString", "false");
            web.UseSetting("Windmill:Authentication:AcceptCookie", "false");
            web.UseSetting("Windmill:Authentication:MaxFailedAttempts", "7");
            web.UseSetting("Windmill:Authentication:FailedAttemptWindow", "00:05:00");
        });
        using var client = configured.CreateClient();

        var options = TokenOptions(configured);
        using var byQuery = await client.PostAsync($"{SampleApp.Api}/jobs/run/p/u/bot/hello_world?token={SampleApp.AdminToken}", Wire.JsonBody("{}"));

        Assert.Equal((false, false, true, 7, TimeSpan.FromMinutes(5)),
            (options.AcceptQueryString, options.AcceptCookie, options.AcceptBearerHeader, options.MaxFailedAttempts, options.FailedAttemptWindow));
        await Wire.AssertAsync(byQuery, HttpStatusCode.Unauthorized, Wire.Text, Wire.Unauthorized); // ?token= is no longer read
    }

    [Fact]
    public async Task The_host_schemes_bind_as_a_list()
    {
        await using var sample = new SampleApp();
        await using var configured = sample.WithWebHostBuilder(web =>
        {
            web.UseSetting("Windmill:Authentication:HostSchemes:0", "Cookies");
            web.UseSetting("Windmill:Authentication:HostSchemes:1", "oidc");
        });

        Assert.Equal(["Cookies", "oidc"], TokenOptions(configured).HostSchemes);
    }

    private static WindmillTokenAuthenticationOptions TokenOptions(WebApplicationFactory<Program> host) =>
        host.Services.GetRequiredService<IOptionsMonitor<WindmillTokenAuthenticationOptions>>().Get(WindmillTokenDefaults.AuthenticationScheme);
}
