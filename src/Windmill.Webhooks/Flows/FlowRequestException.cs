namespace Windmill.Webhooks.Flows;

/// <summary>
/// Thrown by <see cref="StoredFlows"/> when a request breaks the rules of stored flows: a malformed path, a definition over
/// the size limit, a rename. The message never holds a secret. Nothing was written; the HTTP layer answers
/// <c>400 Bad request: &lt;message&gt;</c>.
/// </summary>
public sealed class FlowRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FlowRequestException(string message)
        : base(message)
    {
    }
}
