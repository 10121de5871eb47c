using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Windmill.Webhooks.Idempotency;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Health;

/// <summary>
/// Whether Windmill.Webhooks can accept and run jobs: the storage takes a write, and no due job has waited in the queue,
/// unstarted, longer than <see cref="WindmillHealthCheckOptions.MaxQueueWait"/>.
/// </summary>
internal sealed class WindmillHealthCheck(
    IIdempotencyStore probeStore,
    IJobRunner jobs,
    IEnumerable<CodeScriptRegistration> registrations,
    IOptions<WindmillWebhooksOptions> options,
    IOptionsMonitor<WindmillHealthCheckOptions> healthOptions,
    TimeProvider time) : IHealthCheck
{
    // The probe's keys belong to no credential: real owners are "token/…" or "user/…" (WebhookEndpoints.KeyOwner).
    private const string ProbeOwner = "health-check";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = healthOptions.Get(context.Registration.Name);
        try
        {
            await ProbeWriteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Storage is not writable: {exception.Message}", exception);
        }

        try
        {
            return await FindStalledJobAsync(settings, cancellationToken).ConfigureAwait(false) is { } stalled
                ? new HealthCheckResult(settings.StalledQueueStatus, Describe(stalled, settings), data: Data(stalled))
                : HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The job queue cannot be read: {exception.Message}", exception);
        }
    }

    // A real commit through the configured store, undone by a second one; a key of its own, so it never meets a request's.
    private async Task ProbeWriteAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var probe = new IdempotencyRecord(options.Value.DefaultWorkspace, ProbeOwner, Guid.NewGuid().ToString("N"), "", Guid.NewGuid(), now);
        await probeStore.ClaimAsync(probe, now - IdempotencyKeys.Lifetime, cancellationToken).ConfigureAwait(false);
        await probeStore.ReleaseAsync(probe, cancellationToken).ConfigureAwait(false);
    }

    private async Task<StalledJob?> FindStalledJobAsync(WindmillHealthCheckOptions settings, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        StalledJob? oldest = null;
        foreach (var workspace in Workspaces(settings))
        {
            var query = new JobQuery
            {
                Workspace = workspace,
                Statuses = [JobStatus.Queued],
                ScheduledBefore = now - settings.MaxQueueWait - TimeSpan.FromTicks(1), // due longer than the threshold
                IncludeArgs = false,
                IncludeOutput = false,
                OldestFirst = true,
                Limit = int.MaxValue,
            };
            await foreach (var job in jobs.ListAsync(query, cancellationToken).ConfigureAwait(false))
            {
                // A job waiting for its children is not due; the first one that is shows the queue stalled.
                if (job.PendingChildren == 0)
                {
                    if (oldest is null || job.ScheduledFor < oldest.Job.ScheduledFor)
                    {
                        oldest = new StalledJob(job, now - job.ScheduledFor);
                    }

                    break;
                }
            }
        }

        return oldest;
    }

    private IEnumerable<string> Workspaces(WindmillHealthCheckOptions settings)
    {
        var defaultWorkspace = options.Value.DefaultWorkspace;
        return new[] { defaultWorkspace }
            .Concat(registrations.Select(r => r.Options.Workspace ?? defaultWorkspace))
            .Concat(settings.Workspaces)
            .Distinct(StringComparer.Ordinal);
    }

    private string Describe(StalledJob stalled, WindmillHealthCheckOptions settings)
    {
        var description = string.Create(CultureInfo.InvariantCulture,
            $"Job queue stalled: job {stalled.Job.Id} in workspace '{stalled.Job.Workspace}' has been due for {stalled.Wait:c} without starting (MaxQueueWait {settings.MaxQueueWait:c})");
        return options.Value.WorkerCount == 0
            ? description + "; this process runs no jobs (WorkerCount 0): are the processes that run them up?"
            : description + "; every worker is busy, or none is running";
    }

    private static Dictionary<string, object> Data(StalledJob stalled) => new()
    {
        ["workspace"] = stalled.Job.Workspace,
        ["job_id"] = stalled.Job.Id,
        ["queue_wait"] = stalled.Wait,
    };

    private sealed record StalledJob(Job Job, TimeSpan Wait);
}
