using Microsoft.Extensions.Logging;

namespace Windmill.Webhooks.Flows;

public sealed partial class StoredFlows
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Deployed flow {Path} version {Version} in workspace {Workspace}, by {User}")]
        public static partial void Deployed(ILogger logger, string path, long version, string workspace, string user);

        [LoggerMessage(2, LogLevel.Information, "Set flow {Path} archived={Archived} in workspace {Workspace}, by {User}")]
        public static partial void Archived(ILogger logger, string path, bool archived, string workspace, string user);

        [LoggerMessage(3, LogLevel.Information, "Deleted flow {Path} and every version of it in workspace {Workspace}, by {User}")]
        public static partial void Deleted(ILogger logger, string path, string workspace, string user);
    }
}
