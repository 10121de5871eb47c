using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.JavaScript.Tests;

/// <summary>The README's AddJavaScript example compiles and does what the README says.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void AddJavaScript_registers_the_compiler_and_executor_with_the_options_set()
    {
        var services = new ServiceCollection();
        services.AddLogging();

        // README: javascript
        services.AddWindmillWebhooks()
            .AddJavaScript(options =>
            {
                options.DefaultTimeout = TimeSpan.FromSeconds(30); // when a script sets no timeout
                options.MemoryLimit = 64 * 1024 * 1024;            // bytes one run may allocate
                options.MaxRecursionDepth = 200;
                options.MaxStatements = 10_000_000;
                options.FetchAllowedHosts.Add("api.example.com");  // fetch exists only when a host is allowed
            });
        services.AddHttpClient(JavaScriptOptions.FetchHttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        // README: end

        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<JavaScriptOptions>>().Value;
        Assert.Equal((TimeSpan.FromSeconds(30), 64L * 1024 * 1024, 200, 10_000_000), (options.DefaultTimeout, options.MemoryLimit, options.MaxRecursionDepth, options.MaxStatements));
        Assert.Equal(["api.example.com"], options.FetchAllowedHosts);
        Assert.All(new[] { "bun", "deno", "nativets", "javascript" }, language => Assert.Contains(provider.GetServices<IScriptCompiler>(), c => c.Compiles(language)));
        var job = new Job
        {
            Id = Guid.NewGuid(), Workspace = "demo", CreatedAt = default, ScheduledFor = default, Args = default, CreatedBy = "a", PermissionedAs = "u/a",
            Runnable = new Runnable(JobKind.Script, "u/a/s", default) { Language = "nativets" },
        };
        Assert.Contains(provider.GetServices<IJobExecutor>(), e => e.CanExecute(job));
    }
}
