using Microsoft.Extensions.Options;
using Windmill.Webhooks;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.Sample;

/// <summary>
/// Without <c>Windmill:AdminToken</c>, mints a superadmin token for <c>admin</c> on the first start and
/// prints it once to the console (not to the logs). Later starts find it and print nothing.
/// </summary>
internal sealed partial class AdminTokenBootstrapper(TokenService tokens, ITokenStore store, IOptions<WindmillWebhooksOptions> options,
    ILogger<AdminTokenBootstrapper> logger) : IHostedService
{
    private const string Label = "sample-admin";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(options.Value.AdminToken))
        {
            return;
        }

        await foreach (var token in store.ListAsync(TokenService.AdminUser, cancellationToken))
        {
            if (token.Label == Label)
            {
                LogExisting(logger, token.Prefix);
                return;
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

    [LoggerMessage(2, LogLevel.Information, "The sample admin token {Prefix}… exists; it was shown on the first start only")]
    private static partial void LogExisting(ILogger logger, string prefix);
}
