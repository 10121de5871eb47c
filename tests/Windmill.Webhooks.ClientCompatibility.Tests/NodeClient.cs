using System.Text.Json;

namespace Windmill.Webhooks.ClientCompatibility.Tests;

/// <summary>
/// Windmill's official npm client, <c>windmill-client</c> at a pinned version, installed by the tests with
/// npm (and its cache) and driven through <c>client/call.mjs</c>: one <c>node</c> process per call.
/// </summary>
internal sealed class NodeClient
{
    public const string Version = "1.818.0";
    private static readonly TimeSpan InstallLimit = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan CallLimit = TimeSpan.FromSeconds(60);

    private readonly string _directory;

    /// <summary>Whether <c>node</c> and <c>npm</c> are on PATH.</summary>
    public static bool IsAvailable { get; } = OnPath("node") && OnPath("npm");

    private NodeClient(string directory) => _directory = directory;

    public static async Task<NodeClient> InstallAsync()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "node-client");
        Directory.CreateDirectory(directory);
        var package = Path.Combine(directory, "node_modules", "windmill-client", "package.json");
        if (!File.Exists(package) || JsonDocument.Parse(await File.ReadAllTextAsync(package)).RootElement.GetProperty("version").GetString() != Version)
        {
            var (exitCode, output, error) = await ExternalProcess.RunAsync("npm",
                ["install", "--prefix", directory, "--no-audit", "--no-fund", $"windmill-client@{Version}"], directory, InstallLimit);
            if (exitCode != 0)
            {
                throw new InvalidOperationException(ExternalProcess.Describe($"npm install windmill-client@{Version} failed ({exitCode}):", output, error));
            }
        }

        // Beside node_modules, so that `import "windmill-client"` resolves to the pinned install.
        File.Copy(Path.Combine(AppContext.BaseDirectory, "client", "call.mjs"), Path.Combine(directory, "call.mjs"), overwrite: true);
        return new NodeClient(directory);
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, program)));

    /// <summary>Calls <paramref name="function"/> (a helper such as <c>waitJob</c>, or <c>JobService.getJob</c>) with <paramref name="arguments"/>.</summary>
    public async Task<ClientOutcome> CallAsync(string origin, string token, string function, params object?[] arguments)
    {
        var request = JsonSerializer.Serialize(new { @base = origin, token, workspace = "demo", fn = function, args = arguments });
        var (exitCode, output, error) = await ExternalProcess.RunAsync("node", [Path.Combine(_directory, "call.mjs"), request], _directory, CallLimit);
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (exitCode != 0 || line is null)
        {
            throw new InvalidOperationException(ExternalProcess.Describe($"node call.mjs {function} failed ({exitCode}):", output, error));
        }

        return ClientOutcome.Parse(line);
    }
}

/// <summary>What a client call gave: a value, nothing, a blob, or an error with the HTTP status and body it saw.</summary>
internal sealed record ClientOutcome(bool Ok, JsonElement? Value, bool Undefined, string? Blob, int? Status, JsonElement? Body, string? Message)
{
    public static ClientOutcome Parse(string json)
    {
        var root = JsonDocument.Parse(json).RootElement;
        JsonElement? Get(string name) => root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.Clone() : null;
        return new ClientOutcome(root.GetProperty("ok").GetBoolean(), Get("value"), root.TryGetProperty("undefined", out _), Get("blob")?.GetString(),
            Get("status")?.GetInt32(), Get("body"), Get("message")?.GetString());
    }

    /// <summary>The value's JSON, failing the test with the client's error when the call failed.</summary>
    public string Json()
    {
        Assert.True(Ok, $"the client call failed: {Status} {Body} {Message}");
        return Value?.GetRawText() ?? "undefined";
    }

    /// <summary>The string value.</summary>
    public string Text()
    {
        Assert.True(Ok, $"the client call failed: {Status} {Body} {Message}");
        return Value?.GetString() ?? throw new InvalidOperationException("not a string: " + Value?.GetRawText());
    }
}
