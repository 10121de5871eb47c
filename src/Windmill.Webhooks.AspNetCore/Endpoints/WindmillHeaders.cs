namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>Response headers this library adds to Windmill's wire format.</summary>
public static class WindmillHeaders
{
    /// <summary>The job id, on a synchronous webhook that timed out or was cut short by a shutdown, so the caller can still follow the job.</summary>
    public const string JobId = "x-windmill-job-id";
}
