namespace Windmill.Webhooks.Flows;

/// <summary>A flow definition that cannot be stored or run; the message points at the module at fault. Answered with 400.</summary>
public sealed class FlowDefinitionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FlowDefinitionException()
    {
    }

    /// <summary>Creates the exception with a message that names the module at fault.</summary>
    public FlowDefinitionException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public FlowDefinitionException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
