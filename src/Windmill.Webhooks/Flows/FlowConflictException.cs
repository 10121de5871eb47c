namespace Windmill.Webhooks.Flows;

/// <summary>A flow write that lost a race or does not fit what is stored: a create at a taken path, or an update of a version that is no longer the newest.</summary>
public sealed class FlowConflictException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FlowConflictException()
    {
    }

    /// <summary>Creates the exception with a message in Windmill's words.</summary>
    public FlowConflictException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public FlowConflictException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
