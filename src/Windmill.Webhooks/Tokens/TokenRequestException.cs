namespace Windmill.Webhooks.Tokens;

/// <summary>Why a token request was refused; the message is safe to show and never holds a secret.</summary>
public enum TokenRequestError
{
    /// <summary>The request is malformed (400).</summary>
    Invalid,

    /// <summary>The caller may not do this (403).</summary>
    Forbidden,

    /// <summary>No such token (404).</summary>
    NotFound,
}

/// <summary>Thrown by <see cref="TokenService"/> when a request breaks Windmill's token rules.</summary>
public sealed class TokenRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TokenRequestException(TokenRequestError error, string message) : base(message) => Error = error;

    /// <summary>Why the request was refused.</summary>
    public TokenRequestError Error { get; }
}
