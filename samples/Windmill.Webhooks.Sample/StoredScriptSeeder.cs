using Microsoft.Extensions.Options;
using Windmill.Webhooks;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.Sample;

/// <summary>
/// On the first start, stores one TypeScript script, <c>u/bot/greet_ts</c>, as a user would with <c>scripts/create</c>:
/// it lives in the database, so later starts find it (and any newer version saved over it) and store nothing.
/// </summary>
internal sealed partial class StoredScriptSeeder(StoredScripts stored, IScriptStore store, IOptions<WindmillWebhooksOptions> options,
    ILogger<StoredScriptSeeder> logger) : IHostedService
{
    public const string Path = "u/bot/greet_ts";

    private const string Content = """
        // Stored in the database and run in the embedded sandbox; its types are stripped once, when it is saved.
        type Greeting = { message: string; shout: boolean };

        export async function main(name: string = "world", shout?: boolean): Promise<Greeting> {
          console.log(`greeting ${name}`);
          const message = `Hello, ${name}, from TypeScript!`;
          return { message: shout ? message.toUpperCase() : message, shout: shout ?? false };
        }
        """;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var workspace = options.Value.DefaultWorkspace;
        await foreach (var _ in store.GetHistoryAsync(workspace, Path, cancellationToken))
        {
            return; // stored before: keep whatever is there now
        }

        var admin = new Caller(TokenService.AdminUser) { IsSuperAdmin = true, IsAdmin = true };
        ScriptVersion version;
        try
        {
            version = await stored.CreateAsync(workspace, new NewScript
            {
                Path = Path,
                Language = "bun",
                Content = Content,
                Summary = "Greets someone, in TypeScript",
            }, admin, cancellationToken);
        }
        catch (ScriptRequestException) when (!cancellationToken.IsCancellationRequested)
        {
            // Two replicas on one database starting together both seed it: the one that lost finds the other's.
            if (await store.GetLatestAsync(workspace, Path, cancellationToken) is not null)
            {
                return;
            }

            throw;
        }

        LogStored(logger, Path, version.Hash.ToString());
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Information, "Stored the TypeScript script {Path} (hash {Hash}) for the first start")]
    private static partial void LogStored(ILogger logger, string path, string hash);
}
