using Microsoft.AspNetCore.Http.HttpResults;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// What a caller's token allows (windmill-api.md §6.5): scopes, read-only tokens, and the confinement of a
/// run-scoped token to the jobs of its own runnable. Each check answers <see langword="null"/> to allow,
/// or the 403 to send.
/// </summary>
internal static class WindmillAccess
{
    public static ContentHttpResult? CanRunScript(Caller caller, string path) =>
        caller.ReadOnly ? ReadOnly() : Require(caller, TokenScopes.RunScript(path));

    public static ContentHttpResult? CanRead(Caller caller, string scope) => Require(caller, scope);

    public static ContentHttpResult? CanWrite(Caller caller, string scope) => caller.ReadOnly ? ReadOnly() : Require(caller, scope);

    /// <summary>A token that may run a script may also read that script's jobs, and only those (Windmill's run confinement).</summary>
    public static ContentHttpResult? CanReadJob(Caller caller, Job job) =>
        TokenScopes.Allows(caller.Scopes, "jobs:read") || TokenScopes.Allows(caller.Scopes, TokenScopes.RunScript(job.ScriptPath))
            ? null
            : Denied("jobs:read");

    public static ContentHttpResult? CanCancelJob(Caller caller, Job job) =>
        caller.ReadOnly ? ReadOnly()
        : TokenScopes.Allows(caller.Scopes, "jobs:write") || TokenScopes.Allows(caller.Scopes, TokenScopes.RunScript(job.ScriptPath)) ? null
        : Denied("jobs:write");

    private static ContentHttpResult? Require(Caller caller, string scope) => TokenScopes.Allows(caller.Scopes, scope) ? null : Denied(scope);

    private static ContentHttpResult Denied(string scope) => WindmillErrors.PermissionDenied("Required scope: " + scope);

    private static ContentHttpResult ReadOnly() => WindmillErrors.PermissionDenied("Token is read-only. Mutating endpoints are not allowed.");
}
