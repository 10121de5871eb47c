using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>A host started without <c>Windmill:AdminToken</c> says so at start, naming the key and how to set it.</summary>
public sealed class AdminTokenWarningTests
{
    private const string Warning =
        "No admin token is configured (Windmill:AdminToken is not set): the Windmill routes answer 401 until a token exists. "
        + "Set Windmill:AdminToken (environment variable Windmill__AdminToken) to 32 or more random characters to act as the superadmin 'admin', "
        + "or mint a token in code with TokenService.CreateAsync";

    [Fact]
    public async Task Without_an_admin_token_the_start_logs_a_warning_naming_the_key()
    {
        var logs = new FakeLogCollector();
        await using var sample = new SampleApp(logs);
        await using var withoutToken = sample.WithWebHostBuilder(web => web.UseSetting("Windmill:AdminToken", ""));

        _ = withoutToken.Services; // starts the host

        var warning = Assert.Single(logs.GetSnapshot(), r => r.Message == Warning);
        Assert.Equal((LogLevel.Warning, "Windmill.Webhooks.WindmillHostedService"), (warning.Level, warning.Category));
    }

    [Fact]
    public async Task With_an_admin_token_the_start_says_nothing_of_it()
    {
        var logs = new FakeLogCollector();
        await using var sample = new SampleApp(logs);

        _ = sample.Services;

        Assert.Contains(logs.GetSnapshot(), r => r.Category == "Microsoft.Hosting.Lifetime"); // the capture is real
        Assert.DoesNotContain(logs.GetSnapshot(), r => (r.Message ?? "").Contains("AdminToken", StringComparison.Ordinal));
    }
}
