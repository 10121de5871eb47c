namespace Windmill.Webhooks.Jobs;

/// <summary>How a caller may treat one job it asks for by id (<see cref="Permissions.SeeJob"/>).</summary>
internal enum JobAccess
{
    /// <summary>The caller sees the job.</summary>
    Visible,

    /// <summary>Answered as an unknown job, so a run-scoped token learns nothing of other jobs.</summary>
    Hidden,

    /// <summary>The job exists, and the caller may not see it (403).</summary>
    Forbidden,
}
