using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Windmill.Webhooks.Health;

/// <summary>
/// Options of the health check that <c>AddHealthChecks().AddWindmillWebhooks()</c> registers, named after the check
/// (<c>windmill</c> by default).
/// </summary>
public sealed class WindmillHealthCheckOptions
{
    /// <summary>
    /// How long a due job may wait in the queue, unstarted, before the workers count as stalled: every worker is busy
    /// or none is running (a process with <c>WorkerCount</c> 0 relies on others). Default 1 minute.
    /// </summary>
    public TimeSpan MaxQueueWait { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// What a stalled queue reports. Default <see cref="HealthStatus.Degraded"/>: webhooks are still accepted and kept;
    /// only running them lags. Storage that cannot be written reports the registration's failure status
    /// (<see cref="HealthStatus.Unhealthy"/> by default).
    /// </summary>
    public HealthStatus StalledQueueStatus { get; set; } = HealthStatus.Degraded;

    /// <summary>
    /// Workspaces whose queue is watched besides <see cref="WindmillWebhooksOptions.DefaultWorkspace"/> and the workspaces
    /// of the scripts registered in code. Add the workspaces of scripts and flows stored at run time.
    /// </summary>
    public ISet<string> Workspaces { get; } = new HashSet<string>(StringComparer.Ordinal);
}
