using Microsoft.Extensions.Logging;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

internal sealed partial class CustomResponse
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information,
            "A custom response was served as inert text without {Refused}; set AllowActiveCustomResponses to serve them")]
        public static partial void Refused(ILogger logger, string refused);
    }
}
