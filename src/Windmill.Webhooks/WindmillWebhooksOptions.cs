using System.Text.Encodings.Web;
using System.Text.Json;

namespace Windmill.Webhooks;

/// <summary>Options of Windmill.Webhooks, bound from configuration section <c>Windmill</c> by the sample.</summary>
public sealed class WindmillWebhooksOptions
{
    /// <summary>The workspace that <c>AddScript</c> deploys into unless told otherwise. Default <c>demo</c>.</summary>
    public string DefaultWorkspace { get; set; } = "demo";

    /// <summary>
    /// When set, this exact string is accepted as a superadmin token for user <c>admin</c>, like
    /// Windmill's <c>SUPERADMIN_SECRET</c>. It is never stored.
    /// </summary>
    public string? AdminToken { get; set; }

    /// <summary>Users who are admins of every workspace: they read the audit log and see everyone's webhook tokens.</summary>
    public ISet<string> Admins { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// How long a checked token is served from memory. Deleting or changing a token through this process
    /// takes effect at once; a change made by another process sharing the store takes at most this long. Default 30 s.
    /// </summary>
    public TimeSpan TokenCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the coalesced <c>last_used_at</c> of tokens is written. Default 30 s.</summary>
    public TimeSpan TokenLastUsedFlushInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Audit entries older than this are deleted in the background; <see langword="null"/> (default) keeps them forever.</summary>
    public TimeSpan? AuditRetention { get; set; }

    /// <summary>How long a synchronous webhook waits for its job. Default 600 s, as in Windmill.</summary>
    public TimeSpan SyncWaitTimeout { get; set; } = TimeSpan.FromSeconds(600);

    /// <summary>
    /// Whether a synchronous webhook cancels its job when the wait times out, as Windmill does.
    /// Default <see langword="false"/>: the job keeps running and its id is returned in a header.
    /// </summary>
    public bool CancelJobOnSyncTimeout { get; set; }

    /// <summary>The largest webhook body accepted, in bytes; larger ones get 413. Default 2 MiB, as in Windmill.</summary>
    public long MaxRequestBodySize { get; set; } = 2 * 1024 * 1024;

    /// <summary>How many jobs run at once in this process. Default 32.</summary>
    public int WorkerCount { get; set; } = 32;

    /// <summary>
    /// The longest any job may run, from its start (Windmill's instance-wide <c>TIMEOUT</c>). A script's own
    /// <see cref="Scripts.CodeScriptOptions.Timeout"/> and a run's <c>timeout</c> query option can only shorten it. A job
    /// past its limit is canceled through its <see cref="CancellationToken"/> and fails with Windmill's timeout error;
    /// its worker is freed even if the code ignores the cancellation. Default 15 minutes: Windmill's default on its
    /// shared cloud instances (900 s), rather than its self-hosted 7 days, because the workers here are shared by every
    /// caller of the host. At most 30 days.
    /// </summary>
    public TimeSpan JobTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How many unfinished jobs (queued, scheduled or running) a workspace may hold; a run beyond it is refused with
    /// <c>429</c> before anything is written. Jobs already accepted are never dropped, even when a restart finds more.
    /// <see langword="null"/>: no cap. Default 10,000.
    /// </summary>
    public int? MaxQueuedJobsPerWorkspace { get; set; } = 10_000;

    /// <summary>How often a job found running at start-up is re-queued before it fails. Default 3, as in Windmill.</summary>
    public int MaxJobRestarts { get; set; } = 3;

    /// <summary>How long running jobs may finish on shutdown before they are re-queued. Default 10 s.</summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether a failed job's error carries the exception's stack trace. Default <see langword="false"/>.</summary>
    public bool IncludeStackTraceInJobErrors { get; set; }

    /// <summary>How script arguments and results are (de)serialized. Default: web defaults (camelCase, case-insensitive).</summary>
    public JsonSerializerOptions SerializerOptions { get; set; } = new(JsonSerializerDefaults.Web)
    {
        // Results go out as application/json, never into HTML: no need to escape quotes or non-ASCII text.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
