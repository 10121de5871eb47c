using Microsoft.Extensions.Options;

namespace Windmill.Webhooks.Configuration;

/// <summary>Refuses, at start, values of <see cref="WindmillWebhooksOptions"/> that the library cannot work with.</summary>
internal sealed class WindmillWebhooksOptionsValidator(IEnumerable<WindmillConfigurationPath> bound) : IValidateOptions<WindmillWebhooksOptions>
{
    // The runner's timers and the README promise no more.
    internal static readonly TimeSpan MaxJobTimeout = TimeSpan.FromDays(30);

    public ValidateOptionsResult Validate(string? name, WindmillWebhooksOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var check = new OptionsFailures(WindmillConfigurationPath.Of(bound));
        check.Require(!string.IsNullOrWhiteSpace(options.DefaultWorkspace), nameof(options.DefaultWorkspace), "must name a workspace", options.DefaultWorkspace);
        check.NotNegative(nameof(options.TokenCacheDuration), options.TokenCacheDuration);
        check.Positive(nameof(options.TokenLastUsedFlushInterval), options.TokenLastUsedFlushInterval);
        check.Require(options.AuditRetention is null || options.AuditRetention > TimeSpan.Zero, nameof(options.AuditRetention),
            "must be a positive duration, or empty to keep entries forever", options.AuditRetention);
        check.Positive(nameof(options.SyncWaitTimeout), options.SyncWaitTimeout);
        check.Require(options.MaxRequestBodySize > 0, nameof(options.MaxRequestBodySize), "must be 1 or more bytes", options.MaxRequestBodySize);
        check.Require(options.MaxApiRequestBodySize > 0, nameof(options.MaxApiRequestBodySize), "must be 1 or more bytes", options.MaxApiRequestBodySize);
        check.Require(options.MaxScriptContentSize > 0, nameof(options.MaxScriptContentSize), "must be 1 or more bytes", options.MaxScriptContentSize);
        check.Require(options.MaxFlowDefinitionSize > 0, nameof(options.MaxFlowDefinitionSize), "must be 1 or more bytes", options.MaxFlowDefinitionSize);
        check.Require(options.WorkerCount >= 0, nameof(options.WorkerCount), "must be 0 (run no jobs in this process) or more", options.WorkerCount);
        check.Require(options.JobTimeout > TimeSpan.Zero && options.JobTimeout <= MaxJobTimeout, nameof(options.JobTimeout),
            "must be a positive duration of at most 30 days", options.JobTimeout);
        check.Require(options.MaxQueuedJobsPerWorkspace is null or > 0, nameof(options.MaxQueuedJobsPerWorkspace),
            "must be 1 or more, or empty for no cap", options.MaxQueuedJobsPerWorkspace);
        check.Require(options.MaxJobRestarts >= 0, nameof(options.MaxJobRestarts), "must be 0 or more", options.MaxJobRestarts);
        check.Positive(nameof(options.JobLeaseDuration), options.JobLeaseDuration);
        check.Require(options.JobHeartbeatInterval > TimeSpan.Zero && options.JobHeartbeatInterval < options.JobLeaseDuration,
            nameof(options.JobHeartbeatInterval), "must be a positive duration shorter than JobLeaseDuration, or leases expire between renewals",
            options.JobHeartbeatInterval);
        check.NotNegative(nameof(options.ShutdownGracePeriod), options.ShutdownGracePeriod);
        check.Require(options.SerializerOptions is not null, nameof(options.SerializerOptions), "must be set", null);
        return check.Result;
    }
}
