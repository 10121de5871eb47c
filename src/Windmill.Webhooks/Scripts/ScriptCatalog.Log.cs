using Microsoft.Extensions.Logging;

namespace Windmill.Webhooks.Scripts;

internal sealed partial class ScriptCatalog
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Deployed script {Path} version {Hash} in workspace {Workspace}")]
        public static partial void Deployed(ILogger logger, string path, string hash, string workspace);

        [LoggerMessage(2, LogLevel.Information, "Archived script {Path} in workspace {Workspace}: no handler is registered for it any more")]
        public static partial void ArchivedUnregistered(ILogger logger, string path, string workspace);
    }
}
