using Microsoft.Extensions.Logging;

namespace Windmill.Webhooks;

internal sealed partial class WindmillHostedService
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning,
            "No admin token is configured ({Key} is not set): the Windmill routes answer 401 until a token exists. Set {Key} "
            + "(environment variable {EnvironmentVariable}) to 32 or more random characters to act as the superadmin 'admin', "
            + "or mint a token in code with TokenService.CreateAsync")]
        public static partial void NoAdminToken(ILogger logger, string key, string environmentVariable);

        [LoggerMessage(2, LogLevel.Warning,
            "The storage is unavailable at start; requests answer 503 until it is back, and the scripts are deployed then")]
        public static partial void StorageUnavailableAtStart(ILogger logger, Exception exception);
    }
}
