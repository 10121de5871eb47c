using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Windmill.Webhooks.Tests.Configuration;

/// <summary><c>AddWindmillWebhooksCore(section)</c> binds every option by its key and refuses bad values naming the key.</summary>
public sealed class OptionsConfigurationTests
{
    // Every key, each with a value other than its default.
    private static readonly Dictionary<string, string?> EveryKey = new()
    {
        ["Windmill:DefaultWorkspace"] = "ops",
        ["Windmill:AdminToken"] = "configured-admin-token-0123456789ab",
        ["Windmill:Admins:0"] = "alice",
        ["Windmill:Admins:1"] = "bob",
        ["Windmill:TokenCacheDuration"] = "00:00:05",
        ["Windmill:TokenLastUsedFlushInterval"] = "00:02:00",
        ["Windmill:AuditRetention"] = "30.00:00:00",
        ["Windmill:SyncWaitTimeout"] = "00:01:30",
        ["Windmill:CancelJobOnSyncTimeout"] = "true",
        ["Windmill:MaxRequestBodySize"] = "1048576",
        ["Windmill:MaxApiRequestBodySize"] = "4096",
        ["Windmill:MaxScriptContentSize"] = "2048",
        ["Windmill:MaxFlowDefinitionSize"] = "8192",
        ["Windmill:SecretHeaders:0"] = "X-Api-Key",
        ["Windmill:AllowActiveCustomResponses"] = "true",
        ["Windmill:WorkerCount"] = "4",
        ["Windmill:JobTimeout"] = "01:00:00",
        ["Windmill:MaxQueuedJobsPerWorkspace"] = "500",
        ["Windmill:MaxJobRestarts"] = "5",
        ["Windmill:JobLeaseDuration"] = "00:01:00",
        ["Windmill:JobHeartbeatInterval"] = "00:00:02",
        ["Windmill:ShutdownGracePeriod"] = "00:00:20",
        ["Windmill:IncludeStackTraceInJobErrors"] = "true",
    };

    [Fact]
    public void Every_option_binds_from_its_key()
    {
        var options = Bind(EveryKey);

        Assert.Equal("ops", options.DefaultWorkspace);
        Assert.Equal("configured-admin-token-0123456789ab", options.AdminToken);
        Assert.Equal(["alice", "bob"], options.Admins.Order());
        Assert.Equal(TimeSpan.FromSeconds(5), options.TokenCacheDuration);
        Assert.Equal(TimeSpan.FromMinutes(2), options.TokenLastUsedFlushInterval);
        Assert.Equal(TimeSpan.FromDays(30), options.AuditRetention);
        Assert.Equal(TimeSpan.FromSeconds(90), options.SyncWaitTimeout);
        Assert.True(options.CancelJobOnSyncTimeout);
        Assert.Equal(1_048_576, options.MaxRequestBodySize);
        Assert.Equal(4096, options.MaxApiRequestBodySize);
        Assert.Equal(2048, options.MaxScriptContentSize);
        Assert.Equal(8192, options.MaxFlowDefinitionSize);
        Assert.Equal(["Authorization", "Cookie", "Proxy-Authorization", "X-Api-Key"], options.SecretHeaders.Order(StringComparer.Ordinal));
        Assert.True(options.AllowActiveCustomResponses);
        Assert.Equal(4, options.WorkerCount);
        Assert.Equal(TimeSpan.FromHours(1), options.JobTimeout);
        Assert.Equal(500, options.MaxQueuedJobsPerWorkspace);
        Assert.Equal(5, options.MaxJobRestarts);
        Assert.Equal(TimeSpan.FromMinutes(1), options.JobLeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(2), options.JobHeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(20), options.ShutdownGracePeriod);
        Assert.True(options.IncludeStackTraceInJobErrors);
    }

    [Fact]
    public void The_test_above_covers_every_option_but_the_serializer()
    {
        // A new option gets a key, a README row and a line above, or this fails.
        var options = typeof(WindmillWebhooksOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => "Windmill:" + p.Name)
            .Where(key => key != "Windmill:" + nameof(WindmillWebhooksOptions.SerializerOptions))
            .Order(StringComparer.Ordinal);
        var keys = EveryKey.Keys.Select(key => key.Split(':')[0] + ":" + key.Split(':')[1]).Distinct().Order(StringComparer.Ordinal);

        Assert.Equal(options, keys);
    }

    [Fact]
    public void An_empty_queue_cap_removes_it()
    {
        var options = Bind(new() { ["Windmill:MaxQueuedJobsPerWorkspace"] = "" });

        Assert.Null(options.MaxQueuedJobsPerWorkspace);
    }

    [Theory]
    [InlineData("Windmill:WorkerCount", "-1", "Windmill:WorkerCount must be 0 (run no jobs in this process) or more; it is -1")]
    [InlineData("Windmill:SyncWaitTimeout", "-00:00:01", "Windmill:SyncWaitTimeout must be a positive duration; it is -00:00:01")]
    [InlineData("Windmill:JobTimeout", "31.00:00:00", "Windmill:JobTimeout must be a positive duration of at most 30 days; it is 31.00:00:00")]
    [InlineData("Windmill:JobHeartbeatInterval", "00:01:00",
        "Windmill:JobHeartbeatInterval must be a positive duration shorter than JobLeaseDuration, or leases expire between renewals; it is 00:01:00")]
    [InlineData("Windmill:MaxQueuedJobsPerWorkspace", "0", "Windmill:MaxQueuedJobsPerWorkspace must be 1 or more, or empty for no cap; it is 0")]
    [InlineData("Windmill:MaxRequestBodySize", "0", "Windmill:MaxRequestBodySize must be 1 or more bytes; it is 0")]
    [InlineData("Windmill:MaxScriptContentSize", "0", "Windmill:MaxScriptContentSize must be 1 or more bytes; it is 0")]
    [InlineData("Windmill:MaxFlowDefinitionSize", "0", "Windmill:MaxFlowDefinitionSize must be 1 or more bytes; it is 0")]
    [InlineData("Windmill:DefaultWorkspace", " ", "Windmill:DefaultWorkspace must name a workspace; it is ' '")]
    [InlineData("Windmill:AuditRetention", "00:00:00", "Windmill:AuditRetention must be a positive duration, or empty to keep entries forever; it is 00:00:00")]
    public void An_out_of_range_value_is_refused_naming_its_key(string key, string value, string message)
    {
        var refused = Assert.Throws<OptionsValidationException>(() => Bind(new() { [key] = value }));

        Assert.Equal([message], refused.Failures);
    }

    [Fact]
    public void A_value_that_does_not_convert_is_refused_naming_its_key()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => Bind(new() { ["Windmill:JobTimeout"] = "soon" }));

        Assert.Equal("Failed to convert configuration value 'soon' at 'Windmill:JobTimeout' to type 'System.TimeSpan'.", refused.Message);
    }

    [Fact]
    public void Values_set_in_code_are_checked_too_and_named_by_their_default_key()
    {
        using var services = new ServiceCollection().AddLogging().AddWindmillWebhooksCore(options => options.MaxJobRestarts = -1).Services.BuildServiceProvider();

        var refused = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<WindmillWebhooksOptions>>().Value);

        Assert.Equal(["Windmill:MaxJobRestarts must be 0 or more; it is -1"], refused.Failures);
    }

    [Fact]
    public void The_service_provider_overload_configures_with_the_applications_services()
    {
        var collection = new ServiceCollection().AddLogging().AddSingleton(new AdminSecret("from-a-secret-store-0123456789abcd"));
        collection.AddWindmillWebhooksCore((options, services) => options.AdminToken = services.GetRequiredService<AdminSecret>().Value);
        using var services = collection.BuildServiceProvider();

        Assert.Equal("from-a-secret-store-0123456789abcd", services.GetRequiredService<IOptions<WindmillWebhooksOptions>>().Value.AdminToken);
    }

    private static WindmillWebhooksOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddLogging().AddWindmillWebhooksCore(configuration.GetSection("Windmill")).Services.BuildServiceProvider();
        return services.GetRequiredService<IOptions<WindmillWebhooksOptions>>().Value;
    }

    private sealed record AdminSecret(string Value);
}
