using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.Jobs;

/// <summary>
/// What a caller's token allows (docs/wire-format.md §6.5), for code and HTTP alike: scopes, read-only tokens, tokens bound
/// to one workspace, the confinement of a run-scoped token to the jobs of its own runnable, and which jobs a user who is
/// not an admin may see. Each check answers <see langword="null"/> to allow, or Windmill's reason to refuse (the text
/// after <c>Permission denied: </c>); <see cref="Demand"/> turns a refusal into a <see cref="PermissionDeniedException"/>.
/// </summary>
internal static class Permissions
{
    private const string ReadOnly = "Token is read-only. Mutating endpoints are not allowed.";

    /// <summary>Running the script at <paramref name="path"/> in <paramref name="workspace"/>; a hash is checked against its path.</summary>
    public static string? RunScript(Caller caller, string workspace, string path) =>
        InWorkspace(caller, workspace) ?? Write(caller, TokenScopes.RunScript(path));

    /// <summary>
    /// Creating, archiving or deleting the script at <paramref name="path"/>: <c>scripts:write:&lt;path&gt;</c>, and, unless the caller is
    /// an admin, a path of the caller's own (<c>u/&lt;username&gt;/…</c>) or a folder's (<c>f/…</c>; folders have no owners here).
    /// </summary>
    public static string? WriteScript(Caller caller, string workspace, string path) =>
        InWorkspace(caller, workspace) ?? Write(caller, "scripts:write:" + path) ?? OwnPath(caller, path);

    /// <summary>Running the flow at <paramref name="path"/> in <paramref name="workspace"/>: <c>jobs:run:flows:&lt;path&gt;</c>.</summary>
    public static string? RunFlow(Caller caller, string workspace, string path) =>
        InWorkspace(caller, workspace) ?? Write(caller, TokenScopes.RunFlow(path));

    /// <summary>
    /// Creating, updating, archiving or deleting the flow at <paramref name="path"/>: <c>flows:write:&lt;path&gt;</c>, and, unless the caller is
    /// an admin, a path of the caller's own or a folder's, as for scripts.
    /// </summary>
    public static string? WriteFlow(Caller caller, string workspace, string path) =>
        InWorkspace(caller, workspace) ?? Write(caller, "flows:write:" + path) ?? OwnPath(caller, path);

    /// <summary>Reading the flow at <paramref name="path"/>: <c>flows:read:&lt;path&gt;</c> (Windmill checks the path, not just the domain).</summary>
    public static string? ReadFlow(Caller caller, string workspace, string path) =>
        InWorkspace(caller, workspace) ?? Read(caller, "flows:read:" + path);

    /// <summary>Cancelling needs <c>jobs:write</c>: a run-scoped token cancels nothing.</summary>
    public static string? CancelJobs(Caller caller, string workspace) => InWorkspace(caller, workspace) ?? Write(caller, "jobs:write");

    public static string? Read(Caller caller, string scope) => TokenScopes.Allows(caller.Scopes, scope) ? null : Denied(scope);

    public static string? Write(Caller caller, string scope) => caller.ReadOnly ? ReadOnly : Read(caller, scope);

    /// <summary>Listing jobs needs <c>jobs:read</c>: a run-scoped token follows its own runs by id and never lists, as in Windmill.</summary>
    public static string? ListJobs(Caller caller) => Read(caller, "jobs:read");

    /// <summary>Whose jobs a caller lists: the whole workspace for an admin, else the user's own (<see cref="Job.IsVisibleTo"/>).</summary>
    public static string? JobsVisibleTo(Caller caller) => caller.IsAdmin ? null : caller.Username;

    /// <summary>Reading a job by id needs <c>jobs:read</c>, or a <c>jobs:run</c> scope, which <see cref="SeeJob"/> then confines.</summary>
    public static string? ReadJobsById(Caller caller) =>
        TokenScopes.Allows(caller.Scopes, "jobs:read") || MayRunSomething(caller) ? null : Denied("jobs:read");

    /// <summary>
    /// How a caller may treat <paramref name="job"/>, asked for by id. An admin sees the workspace; anyone else sees what
    /// <see cref="Job.IsVisibleTo"/> allows and is refused the rest, as Windmill refuses workspace members. A token that
    /// may run but not read sees only the jobs of what it may run, and nothing else exists for it.
    /// </summary>
    public static JobAccess SeeJob(Caller caller, Job job)
    {
        var confined = !TokenScopes.Allows(caller.Scopes, "jobs:read");
        var runnable = job.Runnable;
        if (confined && !TokenScopes.Allows(caller.Scopes, runnable.Kind == JobKind.Flow ? TokenScopes.RunFlow(runnable.Path) : TokenScopes.RunScript(runnable.Path)))
        {
            return JobAccess.Hidden;
        }

        return caller.IsAdmin || job.IsVisibleTo(caller.Username) ? JobAccess.Visible
            : confined ? JobAccess.Hidden
            : JobAccess.Forbidden;
    }

    /// <summary>The refusal for a job that exists but that the caller may not see (<see cref="JobAccess.Forbidden"/>), in Windmill's words.</summary>
    public static string NoAccess(Guid job) => $"You do not have access to run {job}";

    /// <summary>Throws <see cref="PermissionDeniedException"/> with <paramref name="refusal"/>, if there is one.</summary>
    public static void Demand(string? refusal)
    {
        if (refusal is not null)
        {
            throw new PermissionDeniedException(refusal);
        }
    }

    // Over HTTP a token bound to another workspace never authenticates; code may still hold such a caller.
    private static string? InWorkspace(Caller caller, string workspace) =>
        caller.WorkspaceId is { } bound && bound != workspace ? $"Token is bound to workspace {bound}" : null;

    // Windmill's require_owner_of_path, for user paths.
    private static string? OwnPath(Caller caller, string path) =>
        caller.IsAdmin || !path.StartsWith("u/", StringComparison.Ordinal) || path.Split('/')[1] == caller.Username
            ? null
            : $"only the owner {path.Split('/')[1]} is authorized to perform this operation";

    private static bool MayRunSomething(Caller caller) =>
        caller.Scopes?.Any(scope => TokenScopes.TryNormalize(scope, out var normalized) && normalized.StartsWith("jobs:run", StringComparison.Ordinal)) == true;

    private static string Denied(string scope) => "Required scope: " + scope;
}
