using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Windmill.Webhooks.JavaScript.Execution;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.JavaScript.Tests;

/// <summary>A host with in-memory stores, its job runner started, and the JavaScript package added.</summary>
internal sealed class JavaScriptHost : IAsyncDisposable
{
    public const string Workspace = "demo";

    private static long _nextHash = 1;
    private readonly ServiceProvider _services;
    private readonly List<IHostedService> _started = [];

    private JavaScriptHost(ServiceProvider services) => _services = services;

    public IScriptStore Store => _services.GetRequiredService<IScriptStore>();

    public IJobRunner Runner => _services.GetRequiredService<IJobRunner>();

    public IScriptCompiler Compiler => _services.GetServices<IScriptCompiler>().Single(c => c.Compiles("bun"));

    public int PreparedCount => ((JintJavaScriptEngine)_services.GetRequiredService<IJavaScriptEngine>()).PreparedCount;

    public static async Task<JavaScriptHost> StartAsync(Action<JavaScriptOptions>? configure = null, int workers = 4,
        Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddWindmillWebhooksCore(options => options.WorkerCount = workers).UseInMemoryStores().AddJavaScript(configure);
        services?.Invoke(collection);
        var host = new JavaScriptHost(collection.BuildServiceProvider());
        foreach (var service in host._services.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
            host._started.Add(service);
        }

        return host;
    }

    /// <summary>Creates a stored version the way the scripts routes do: compiled once, with its compiled code.</summary>
    public async Task<ScriptVersion> DeployAsync(string content, string language = "bun", TimeSpan? timeout = null, string path = "u/bot/script")
    {
        var compilation = Compiler.Compile(language, content);
        var head = await Store.GetLatestAsync(Workspace, path, CancellationToken.None);
        var version = new ScriptVersion
        {
            Workspace = Workspace,
            Hash = new ScriptHash(Interlocked.Increment(ref _nextHash)),
            ParentHash = head?.Hash, // lineage is linear: a new version names the current one
            Path = path,
            Language = language,
            Content = content,
            CompiledCode = compilation.Code,
            Schema = compilation.Schema,
            CreatedBy = "alice",
            CreatedAt = DateTimeOffset.UnixEpoch,
            Timeout = timeout,
        };
        await Store.AddVersionAsync(version, audit: null, CancellationToken.None);
        return version;
    }

    public async Task<Job> EnqueueAsync(ScriptVersion version, object? args = null) =>
        await Runner.EnqueueAsync(NewJob(Runnable.Script(version), args), CancellationToken.None);

    public async Task<Job> RunAsync(ScriptVersion version, object? args = null) => await WaitAsync(await EnqueueAsync(version, args));

    /// <summary>Runs inline code as a preview job, compiled and run like a flow's inline step.</summary>
    public async Task<Job> RunInlineAsync(string code, object? args = null, string language = "bun")
    {
        var runnable = new Runnable(JobKind.Preview, "u/bot/preview", default) { Language = language, RawCode = code };
        return await WaitAsync(await Runner.EnqueueAsync(NewJob(runnable, args), CancellationToken.None));
    }

    public async Task<Job> WaitAsync(Job job) =>
        await Runner.WaitForCompletionAsync(Workspace, job.Id, CancellationToken.None) ?? throw new InvalidOperationException("job vanished");

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _started)
        {
            await service.StopAsync(CancellationToken.None);
        }

        await _services.DisposeAsync();
    }

    private static NewJob NewJob(Runnable runnable, object? args) => new()
    {
        Workspace = Workspace,
        Runnable = runnable,
        Args = JsonSerializer.SerializeToElement(args ?? new { }),
        CreatedBy = "alice",
        PermissionedAs = "u/alice",
    };
}

internal static class JobAssertions
{
    public static string ResultJson(this Job job) => job.Result is { } result ? JsonSerializer.Serialize(result) : "<none>";

    public static void AssertSucceeded(this Job job, string expectedJson)
    {
        Assert.True(job.Status == JobStatus.Success, $"job {job.Status}: {job.ResultJson()}");
        Assert.Equal(expectedJson, job.ResultJson());
    }

    public static JsonElement AssertFailed(this Job job, string name)
    {
        Assert.True(job.Status == JobStatus.Failure, $"job {job.Status}: {job.ResultJson()}");
        var error = job.Result!.Value.GetProperty("error");
        Assert.Equal(name, error.GetProperty("name").GetString());
        return error;
    }
}
