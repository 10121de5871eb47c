using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Windmill.Webhooks;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.Sample;

/// <summary>
/// Without <c>Windmill:AdminToken</c>, mints a superadmin token for <c>admin</c> on the first start and
/// prints it once to the console (not to the logs). Later starts find it and print nothing, unless
/// <c>Sample:NewAdminToken=true</c> asks for a new one (the printed one was lost): the old one is deleted.
/// </summary>
internal sealed partial class AdminTokenBootstrapper(TokenService tokens, ITokenStore store, IOptions<WindmillWebhooksOptions> options,
    IConfiguration configuration, ILogger<AdminTokenBootstrapper> logger) : IHostedService
{
    private const string Label = "sample-admin";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var connectionString = configuration.GetConnectionString("Windmill") ?? "Data Source=windmill.db";
        if (!connectionString.StartsWith("Host=", StringComparison.OrdinalIgnoreCase))
        {
            LogDatabase(logger, Path.GetFullPath(new SqliteConnectionStringBuilder(connectionString).DataSource));
        }

        if (!string.IsNullOrEmpty(options.Value.AdminToken))
        {
            return;
        }

        var renew = configuration.GetValue<bool>("Sample:NewAdminToken");
        await foreach (var token in store.ListAsync(TokenService.AdminUser, cancellationToken))
        {
            if (token.Label == Label)
            {
                if (!renew)
                {
                    LogExisting(logger, token.Prefix);
                    return;
                }

                await store.DeleteByPrefixAsync(TokenService.AdminUser, token.Prefix, cancellationToken);
            }
        }

        var (plaintext, stored) = await tokens.CreateAsync(
            new NewTokenRequest { Owner = TokenService.AdminUser, Label = Label, SuperAdmin = true }, cancellationToken);
        Console.WriteLine($"""

            Admin token (shown once; store it now): {plaintext}
            Set Windmill__AdminToken to choose your own instead.

            """);
        LogMinted(logger, stored.Prefix);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Information, "Minted the sample admin token {Prefix}…; it was printed once to the console")]
    private static partial void LogMinted(ILogger logger, string prefix);

    [LoggerMessage(2, LogLevel.Information,
        "The sample admin token {Prefix}… exists; it was shown on the first start only. Lost it? Start once with --Sample:NewAdminToken=true for a new one")]
    private static partial void LogExisting(ILogger logger, string prefix);

    [LoggerMessage(3, LogLevel.Information, "Database: {Path} (ConnectionStrings:Windmill); delete it to start over")]
    private static partial void LogDatabase(ILogger logger, string path);
}
