using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Storage.InMemory;

namespace Windmill.Webhooks.Tests.Scripts;

/// <summary>Deploying code-registered scripts across "restarts" that share one store.</summary>
public sealed class ScriptCatalogTests
{
    private readonly InMemoryScriptStore _store = new();
    private readonly InMemoryAuditSink _audit = new();

    [Fact]
    public async Task First_start_deploys_each_script_with_its_schema_and_an_audit_entry()
    {
        await StartAsync(b => b.AddScript("u/bot/hello", (string name = "world") => name, s => s.Summary = "Greets"));

        var script = await _store.GetLatestAsync("demo", "u/bot/hello", CancellationToken.None);

        Assert.NotNull(script);
        Assert.Equal("csharp", script.Language);
        Assert.Equal("Greets", script.Summary);
        Assert.Equal("system", script.CreatedBy);
        Assert.Contains("version: 1", script.Content, StringComparison.Ordinal);
        Assert.Equal("world", script.Schema?.GetProperty("properties").GetProperty("name").GetProperty("default").GetString());
        var entry = Assert.Single(await _audit.ListAsync(new AuditQuery { WorkspaceId = "demo" }, CancellationToken.None));
        Assert.Equal(("scripts.create", AuditActionKind.Create, "u/bot/hello"), (entry.Operation, entry.ActionKind, entry.Resource));
        Assert.Equal(script.Hash.ToString(), entry.Parameters?["hash"]);
    }

    [Fact]
    public async Task Restart_with_the_same_code_keeps_the_same_version()
    {
        var first = await StartAsync(b => b.AddScript("u/bot/hello", (string name) => name));
        var second = await StartAsync(b => b.AddScript("u/bot/hello", (string name) => name));

        Assert.Equal(first.Single().Version.Hash, second.Single().Version.Hash);
        Assert.Single(await _store.GetHistoryAsync("demo", "u/bot/hello", CancellationToken.None).ToListAsync());
    }

    [Fact]
    public async Task Changing_the_declared_version_deploys_a_new_hash_and_archives_the_old()
    {
        var first = (await StartAsync(b => b.AddScript("u/bot/hello", (string name) => name))).Single().Version;
        var second = (await StartAsync(b => b.AddScript("u/bot/hello", (string name) => name, s => s.Version = "2"))).Single().Version;

        Assert.NotEqual(first.Hash, second.Hash);
        Assert.Equal(first.Hash, second.ParentHash);
        Assert.True((await _store.GetByHashAsync("demo", first.Hash, CancellationToken.None))?.Archived);
        Assert.Equal(second.Hash, (await _store.GetLatestAsync("demo", "u/bot/hello", CancellationToken.None))?.Hash);
        Assert.Contains(await _audit.ListAsync(new AuditQuery { WorkspaceId = "demo" }, CancellationToken.None),
            e => e.Operation == "scripts.update" && e.Parameters?["hash"] == second.Hash.ToString());
    }

    [Fact]
    public async Task Changing_the_parameters_deploys_a_new_version()
    {
        var first = (await StartAsync(b => b.AddScript("u/bot/hello", (string name) => name))).Single().Version;
        var second = (await StartAsync(b => b.AddScript("u/bot/hello", (string name, int times) => name))).Single().Version;

        Assert.NotEqual(first.Hash, second.Hash);
    }

    [Fact]
    public async Task Reverting_the_code_makes_a_new_version_rather_than_reviving_the_old_hash()
    {
        var first = (await StartAsync(b => b.AddScript("u/bot/hello", (string name) => name))).Single().Version;
        await StartAsync(b => b.AddScript("u/bot/hello", (string name) => name, s => s.Version = "2"));
        var third = (await StartAsync(b => b.AddScript("u/bot/hello", (string name) => name))).Single().Version;

        Assert.NotEqual(first.Hash, third.Hash);
        Assert.Equal(3, (await _store.GetHistoryAsync("demo", "u/bot/hello", CancellationToken.None).ToListAsync()).Count);
    }

    [Fact]
    public async Task An_old_hash_fails_clearly_instead_of_running_the_new_code()
    {
        var old = (await StartAsync(b => b.AddScript("u/bot/hello", (string name) => "old " + name))).Single().Version;
        var services = BuildServices(b => b.AddScript("u/bot/hello", (string name) => "new " + name, s => s.Version = "2"));
        var current = (await services.GetRequiredService<ScriptCatalog>().EnsureDeployedAsync(CancellationToken.None)).Single().Version;
        var executor = services.GetServices<IJobExecutor>().OfType<ScriptJobExecutor>().Single();

        var outcome = await executor.ExecuteAsync(Job(old.Hash), CancellationToken.None);
        var fresh = await executor.ExecuteAsync(Job(current.Hash), CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.Equal("ScriptVersionUnavailable", outcome.Result.GetProperty("error").GetProperty("name").GetString());
        Assert.Equal($"Script version {old.Hash} of u/bot/hello can no longer run: the host now registers version {current.Hash} at this path.",
            outcome.Result.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal("\"new x\"", fresh.Result.GetRawText());
    }

    [Fact]
    public async Task A_script_no_longer_registered_is_archived()
    {
        await StartAsync(b => b.AddScript("u/bot/hello", () => 1).AddScript("u/bot/gone", () => 2));
        await StartAsync(b => b.AddScript("u/bot/hello", () => 1));

        Assert.Null(await _store.GetLatestAsync("demo", "u/bot/gone", CancellationToken.None));
        Assert.NotNull(await _store.GetLatestAsync("demo", "u/bot/hello", CancellationToken.None));
    }

    [Fact]
    public async Task Scripts_deploy_into_their_own_workspace()
    {
        await StartAsync(b => b.AddScript("u/bot/hello", () => 1, s => s.Workspace = "ops"));

        Assert.NotNull(await _store.GetLatestAsync("ops", "u/bot/hello", CancellationToken.None));
        Assert.Null(await _store.GetLatestAsync("demo", "u/bot/hello", CancellationToken.None));
    }

    [Fact]
    public void Registering_a_malformed_path_fails_at_once()
    {
        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddWindmillWebhooksCore().AddScript("hello", () => 1));

        Assert.StartsWith("'hello' is not a Windmill script path", error.Message, StringComparison.Ordinal);
    }

    private static Job Job(ScriptHash hash) => new()
    {
        Id = Guid.CreateVersion7(),
        Workspace = "demo",
        Runnable = new(JobKind.Script, "u/bot/hello", hash),
        Args = JsonDocument.Parse("""{"name":"x"}""").RootElement,
        CreatedBy = "alice",
        PermissionedAs = "u/alice",
        CreatedAt = DateTimeOffset.UnixEpoch,
        ScheduledFor = DateTimeOffset.UnixEpoch,
    };

    private async Task<IReadOnlyCollection<DeployedScript>> StartAsync(Action<WindmillWebhooksBuilder> configure) =>
        await BuildServices(configure).GetRequiredService<ScriptCatalog>().EnsureDeployedAsync(CancellationToken.None);

    private ServiceProvider BuildServices(Action<WindmillWebhooksBuilder> configure)
    {
        var services = new ServiceCollection().AddLogging();
        // Registered before AddWindmillWebhooksCore, so they win over its defaults: the store outlives each "process".
        services.AddSingleton<IScriptStore>(_store);
        services.AddSingleton<IAuditSink>(_audit);
        configure(services.AddWindmillWebhooksCore());
        return services.BuildServiceProvider();
    }
}
