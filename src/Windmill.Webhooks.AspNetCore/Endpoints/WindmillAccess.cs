using Microsoft.AspNetCore.Http.HttpResults;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// The core's <see cref="Permissions"/> as answers of the routes that check them before they act: each check answers
/// <see langword="null"/> to allow, or the 403 to send. Runs and cancels are checked by <see cref="JobRuns"/> itself.
/// </summary>
internal static class WindmillAccess
{
    public static ContentHttpResult? CanRead(Caller caller, string scope) => Refuse(Permissions.Read(caller, scope));

    public static ContentHttpResult? CanWrite(Caller caller, string scope) => Refuse(Permissions.Write(caller, scope));

    /// <inheritdoc cref="Permissions.ListJobs"/>
    public static ContentHttpResult? CanListJobs(Caller caller) => Refuse(Permissions.ListJobs(caller));

    /// <inheritdoc cref="Permissions.CancelJobs"/>
    public static ContentHttpResult? CanCancelJobs(Caller caller, string workspace) => Refuse(Permissions.CancelJobs(caller, workspace));

    /// <inheritdoc cref="Permissions.ReadJobsById"/>
    public static ContentHttpResult? CanReadJobsById(Caller caller) => Refuse(Permissions.ReadJobsById(caller));

    /// <summary>The 403 for a job that exists but that the caller may not see (<see cref="JobAccess.Forbidden"/>).</summary>
    public static ContentHttpResult NoAccess(Guid job) => WindmillErrors.PermissionDenied(Permissions.NoAccess(job));

    private static ContentHttpResult? Refuse(string? refusal) => refusal is null ? null : WindmillErrors.PermissionDenied(refusal);
}
