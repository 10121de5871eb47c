namespace Windmill.Webhooks.Jobs;

/// <summary>
/// Thrown when a <see cref="Caller"/> may not do what it asked, such as running a script its token's scopes do not
/// name. The message is Windmill's reason, such as <c>Required scope: jobs:run:scripts:u/bot/hello</c>; it never holds
/// a secret. Nothing was written. The HTTP layer answers <c>403 Permission denied: &lt;message&gt;</c>.
/// </summary>
public sealed class PermissionDeniedException : Exception
{
    /// <summary>Creates the exception with Windmill's reason.</summary>
    public PermissionDeniedException(string message)
        : base(message)
    {
    }
}
