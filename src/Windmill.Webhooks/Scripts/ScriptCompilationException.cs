namespace Windmill.Webhooks.Scripts;

/// <summary>
/// Thrown when a script's source cannot run: a syntax error, a refused import, no <c>main</c>. Nothing was written; the
/// HTTP layer answers <c>400</c> with <see cref="Exception.Message"/>.
/// </summary>
public sealed class ScriptCompilationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ScriptCompilationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception for an error at a place in the source.</summary>
    public ScriptCompilationException(string message, int line, int column)
        : base($"{message} (line {line}, column {column})")
    {
        Line = line;
        Column = column;
    }

    /// <summary>Creates the exception.</summary>
    public ScriptCompilationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ScriptCompilationException()
    {
    }

    /// <summary>The 1-based line of the error, if it has a place.</summary>
    public int? Line { get; }

    /// <summary>The 1-based column of the error, if it has a place.</summary>
    public int? Column { get; }
}
