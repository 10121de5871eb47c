using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Windmill.Webhooks.AspNetCore.Tests.Tokens;

public sealed class SampleConfigurationTests
{
    [Fact]
    public async Task The_windmill_section_binds_admins_and_token_settings()
    {
        var database = Path.Combine(Path.GetTempPath(), $"windmill-config-{Guid.NewGuid():N}.db");
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:Windmill", $"Data Source={database}");
            web.UseSetting("Windmill:AdminToken", "configured-admin-token");
            web.UseSetting("Windmill:Admins:0", "ops");
            web.UseSetting("Windmill:TokenCacheDuration", "00:00:05");
            web.UseSetting("Windmill:AuditRetention", "30.00:00:00");
        });

        var options = factory.Services.GetRequiredService<IOptions<WindmillWebhooksOptions>>().Value;

        Assert.Equal(["ops"], options.Admins);
        Assert.Equal(TimeSpan.FromSeconds(5), options.TokenCacheDuration);
        Assert.Equal(TimeSpan.FromDays(30), options.AuditRetention);
        await factory.DisposeAsync();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(database + suffix);
        }
    }
}
