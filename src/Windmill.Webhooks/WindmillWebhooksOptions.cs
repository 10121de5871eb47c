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
    /// Windmill's <c>SUPERADMIN_SECRET</c>. It is never stored. Make it as long and random as a minted token
    /// (32 characters): the failed-attempt limit slows guesses but does not stop them.
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

    /// <summary>
    /// The largest body accepted by every other Windmill route (cancel, tokens, scripts, audit), in bytes; a larger
    /// one gets 413 before more than this is read, whether or not it declares its length. Default 64 KiB.
    /// </summary>
    public long MaxApiRequestBodySize { get; set; } = 64 * 1024;

    /// <summary>
    /// The largest stored script's <c>content</c> accepted by <c>POST scripts/create</c>, in UTF-8 bytes; a larger one gets 400
    /// and nothing is stored. That route takes a body of up to <see cref="MaxApiRequestBodySize"/> plus twice this (room for the
    /// content's JSON escaping). Default 256 KiB.
    /// </summary>
    public int MaxScriptContentSize { get; set; } = 256 * 1024;

    /// <summary>
    /// The largest flow definition (its OpenFlow <c>value</c>, as JSON) accepted by <c>POST flows/create</c> and <c>flows/update</c>, in
    /// UTF-8 bytes; a larger one gets 400 and nothing is stored. Those routes take a body of up to
    /// <see cref="MaxApiRequestBodySize"/> plus twice this. Default 1 MiB (a flow holds the code of its inline steps).
    /// </summary>
    public int MaxFlowDefinitionSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// Request headers that <c>include_header</c> never turns into job args, compared without regard to case:
    /// add the host's own secrets (an API key header, say). Default <c>Authorization</c>, <c>Cookie</c> and
    /// <c>Proxy-Authorization</c>; those three carry tokens and are refused even if removed from this set.
    /// </summary>
    public ISet<string> SecretHeaders { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Cookie", "Proxy-Authorization",
    };

    /// <summary>
    /// Whether a synchronous result's custom response (<c>windmill_content_type</c>, <c>windmill_headers</c>) is served
    /// as asked when its content is active (HTML, XML, SVG, JavaScript, CSS, multipart) or its headers set cookies or the
    /// origin's policy (<c>Set-Cookie</c>, <c>Clear-Site-Data</c>, <c>Content-Security-Policy</c>,
    /// <c>Strict-Transport-Security</c>, <c>X-Frame-Options</c>, <c>Access-Control-*</c>, …). Default
    /// <see langword="false"/>: such content is served as <c>text/plain</c> and such headers are dropped, because a
    /// script that reflects its input would let anyone holding its token serve pages and cookies from your origin.
    /// </summary>
    public bool AllowActiveCustomResponses { get; set; }

    /// <summary>
    /// How many jobs run at once in this process. Default 32. With 0 the process runs no job: it accepts and
    /// answers webhooks while other processes sharing the store run the jobs.
    /// </summary>
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

    /// <summary>
    /// How often a job whose runner died (its lease expired) is run again before it fails, as Windmill does with
    /// zombie jobs. Default 3.
    /// </summary>
    public int MaxJobRestarts { get; set; } = 3;

    /// <summary>
    /// How long a runner holds a running job without renewing its lease. A job whose process died is run again
    /// by another runner (or this one after a restart) once its lease expired. Default 30 s.
    /// </summary>
    public TimeSpan JobLeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a runner renews its leases, reclaims expired ones and looks for what other processes sharing
    /// the store changed (jobs they queued, completed or canceled). Within one process, changes are signalled at
    /// once; across processes on SQLite, within this interval. Default 1 s.
    /// </summary>
    public TimeSpan JobHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long running jobs may finish on shutdown before they go back to the queue. Default 10 s.</summary>
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
