using System.Diagnostics;
using System.Diagnostics.Metrics;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.Diagnostics;

/// <summary>
/// The instruments of the <c>Windmill.Webhooks</c> meter, created once per service provider from its
/// <see cref="IMeterFactory"/>. The README's "Operate it" section lists them.
/// </summary>
public sealed class WindmillMetrics
{
    private readonly Counter<long> _enqueued;
    private readonly Counter<long> _completed;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _queueWait;
    private readonly Histogram<double> _syncWait;
    private readonly Counter<long> _authenticationFailures;
    private readonly Counter<long> _rateLimited;

    /// <summary>Creates the instruments on the <c>Windmill.Webhooks</c> meter of <paramref name="meters"/>.</summary>
    public WindmillMetrics(IMeterFactory meters)
        : this(Created(meters))
    {
    }

    internal WindmillMetrics(Meter meter)
    {
        Meter = meter;
        _enqueued = Meter.CreateCounter<long>("windmill.jobs.enqueued", "{job}", "Jobs accepted and stored.");
        _completed = Meter.CreateCounter<long>("windmill.jobs.completed", "{job}", "Jobs that reached a final status.");
        _duration = Meter.CreateHistogram<double>("windmill.job.duration", "s", "How long jobs ran, from their start to their final status.");
        _queueWait = Meter.CreateHistogram<double>("windmill.job.queue_wait", "s", "How long due jobs waited for a worker.");
        _syncWait = Meter.CreateHistogram<double>("windmill.sync_wait.duration", "s", "How long synchronous callers waited for their job's result.");
        _authenticationFailures = Meter.CreateCounter<long>("windmill.authentication.failures", "{request}", "Requests whose token was refused.");
        _rateLimited = Meter.CreateCounter<long>("windmill.requests.rate_limited", "{request}", "Requests answered 429 Too Many Requests.");
    }

    internal Meter Meter { get; }

    internal void Enqueued(Job job) =>
        _enqueued.Add(1, new TagList { { "windmill.workspace", job.Workspace }, { "windmill.job.kind", Name(job.Runnable.Kind) }, { "windmill.job.trigger", job.TriggerKind ?? "none" } });

    internal void Started(Job job, TimeSpan queueWait) =>
        _queueWait.Record(Math.Max(0, queueWait.TotalSeconds), new KeyValuePair<string, object?>("windmill.workspace", job.Workspace));

    internal void Completed(Job job, JobStatus status, TimeSpan? ran)
    {
        var tags = new TagList
        {
            { "windmill.workspace", job.Workspace },
            { "windmill.job.status", status.ToString().ToLowerInvariant() },
            { "windmill.job.trigger", job.TriggerKind ?? "none" },
        };
        _completed.Add(1, tags);
        if (ran is { } duration)
        {
            _duration.Record(Math.Max(0, duration.TotalSeconds), tags);
        }
    }

    internal void SyncWaited(TimeSpan waited, bool answered) =>
        _syncWait.Record(waited.TotalSeconds, new KeyValuePair<string, object?>("windmill.sync_wait.outcome", answered ? "completed" : "unanswered"));

    /// <summary>Counts a request whose token a Windmill route refused (<c>refused_token</c>: unknown, malformed, expired or bound elsewhere; the check does not say which).</summary>
    internal void AuthenticationFailed(string reason) => _authenticationFailures.Add(1, new KeyValuePair<string, object?>("windmill.authentication.failure", reason));

    /// <summary>Counts a 429, by why (<c>failed_authentications</c>, <c>queue_full</c>, <c>queue_limit</c>).</summary>
    internal void RateLimited(string reason) => _rateLimited.Add(1, new KeyValuePair<string, object?>("windmill.rate_limit.reason", reason));

    private static Meter Created(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        return meters.Create(WindmillTelemetry.Name);
    }

    private static string Name(JobKind kind) => kind.ToString().ToLowerInvariant();
}
