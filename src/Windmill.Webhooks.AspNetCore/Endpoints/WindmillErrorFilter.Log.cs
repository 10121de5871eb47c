using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

internal sealed partial class WindmillErrorFilter
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "{Method} {Path} answered 503: the storage is unavailable (trace id {TraceId})")]
        public static partial void StorageUnavailable(ILogger logger, Exception exception, string method, PathString path, string traceId);

        [LoggerMessage(2, LogLevel.Error, "{Method} {Path} failed unexpectedly and answered 500 (trace id {TraceId})")]
        public static partial void Unexpected(ILogger logger, Exception exception, string method, PathString path, string traceId);
    }
}
