namespace Windmill.Webhooks.Scripts;

/// <summary>
/// Thrown by <see cref="StoredScripts"/> when a request breaks Windmill's script rules: a malformed path, an unknown
/// language, content over the size limit, a stale parent, a path that a script registered in code holds. The message is
/// Windmill's text where Windmill has one, and never holds a secret. Nothing was written; the HTTP layer answers
/// <c>400 Bad request: &lt;message&gt;</c>.
/// </summary>
public sealed class ScriptRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ScriptRequestException(string message)
        : base(message)
    {
    }
}
