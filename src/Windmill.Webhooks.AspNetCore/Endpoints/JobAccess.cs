namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>How a by-id job route treats a caller (<see cref="WindmillAccess.CanSeeJob"/>).</summary>
internal enum JobAccess
{
    /// <summary>The caller sees the job.</summary>
    Visible,

    /// <summary>The route answers as for an unknown job, so a run-scoped token learns nothing of other jobs.</summary>
    Hidden,

    /// <summary>403: the job exists, and the caller may not see it.</summary>
    Forbidden,
}
