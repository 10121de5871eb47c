namespace Windmill.Webhooks.Flows;

/// <summary>A flow expression that could not be evaluated: it does not parse, it threw, or it reached a limit.</summary>
public sealed class FlowExpressionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FlowExpressionException()
    {
    }

    /// <summary>Creates the exception with a message that says why.</summary>
    public FlowExpressionException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public FlowExpressionException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
