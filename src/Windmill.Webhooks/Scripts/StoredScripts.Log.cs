using Microsoft.Extensions.Logging;

namespace Windmill.Webhooks.Scripts;

public sealed partial class StoredScripts
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Created script {Path} version {Hash} in workspace {Workspace}, by {User}")]
        public static partial void Created(ILogger logger, string path, string hash, string workspace, string user);

        [LoggerMessage(2, LogLevel.Information, "Archived script {Path} in workspace {Workspace}, by {User}")]
        public static partial void Archived(ILogger logger, string path, string workspace, string user);

        [LoggerMessage(3, LogLevel.Information, "Deleted script {Path} and every version of it in workspace {Workspace}, by {User}")]
        public static partial void Deleted(ILogger logger, string path, string workspace, string user);
    }
}
