using Microsoft.AspNetCore.Http.HttpResults;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// What a caller's token allows (windmill-api.md §6.5): scopes, read-only tokens, the confinement of a
/// run-scoped token to the jobs of its own runnable, and which jobs a user who is not an admin may see.
/// Each check answers <see langword="null"/> to allow, or the 403 to send.
/// </summary>
internal static class WindmillAccess
{
    public static ContentHttpResult? CanRunScript(Caller caller, string path) =>
        caller.ReadOnly ? ReadOnly() : Require(caller, TokenScopes.RunScript(path));

    public static ContentHttpResult? CanRead(Caller caller, string scope) => Require(caller, scope);

    public static ContentHttpResult? CanWrite(Caller caller, string scope) => caller.ReadOnly ? ReadOnly() : Require(caller, scope);

    /// <summary>Listing jobs needs <c>jobs:read</c>: a run-scoped token follows its own runs by id and never lists, as in Windmill.</summary>
    public static ContentHttpResult? CanListJobs(Caller caller) => Require(caller, "jobs:read");

    /// <summary>Whose jobs a caller lists: the whole workspace for an admin, else the user's own (<see cref="Job.IsVisibleTo"/>).</summary>
    public static string? JobsVisibleTo(Caller caller) => caller.IsAdmin ? null : caller.Username;

    /// <summary>Reading a job by id needs <c>jobs:read</c>, or a <c>jobs:run</c> scope, which <see cref="CanSeeJob"/> then confines.</summary>
    public static ContentHttpResult? CanReadJobsById(Caller caller) =>
        TokenScopes.Allows(caller.Scopes, "jobs:read") || MayRunSomething(caller) ? null : Denied("jobs:read");

    /// <summary>Cancelling needs <c>jobs:write</c>: a run-scoped token cancels nothing.</summary>
    public static ContentHttpResult? CanCancelJobs(Caller caller) => CanWrite(caller, "jobs:write");

    /// <summary>
    /// How a by-id route treats <paramref name="job"/>. An admin sees the workspace; anyone else sees what
    /// <see cref="Job.IsVisibleTo"/> allows and is refused the rest, as Windmill refuses workspace members. A token that
    /// may run but not read sees only the jobs of what it may run, and nothing else exists for it.
    /// </summary>
    public static JobAccess CanSeeJob(Caller caller, Job job)
    {
        var confined = !TokenScopes.Allows(caller.Scopes, "jobs:read");
        if (confined && !TokenScopes.Allows(caller.Scopes, job.Kind == JobKind.Flow ? TokenScopes.RunFlow(job.ScriptPath) : TokenScopes.RunScript(job.ScriptPath)))
        {
            return JobAccess.Hidden;
        }

        return caller.IsAdmin || job.IsVisibleTo(caller.Username) ? JobAccess.Visible
            : confined ? JobAccess.Hidden
            : JobAccess.Forbidden;
    }

    /// <summary>The 403 for a job that exists but that the caller may not see (<see cref="JobAccess.Forbidden"/>), in Windmill's words.</summary>
    public static ContentHttpResult NoAccess(Guid job) => WindmillErrors.PermissionDenied($"You do not have access to run {job}");

    private static bool MayRunSomething(Caller caller) =>
        caller.Scopes?.Any(scope => TokenScopes.TryNormalize(scope, out var normalized) && normalized.StartsWith("jobs:run", StringComparison.Ordinal)) == true;

    private static ContentHttpResult? Require(Caller caller, string scope) => TokenScopes.Allows(caller.Scopes, scope) ? null : Denied(scope);

    private static ContentHttpResult Denied(string scope) => WindmillErrors.PermissionDenied("Required scope: " + scope);

    private static ContentHttpResult ReadOnly() => WindmillErrors.PermissionDenied("Token is read-only. Mutating endpoints are not allowed.");
}
