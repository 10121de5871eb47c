namespace Windmill.Webhooks.JavaScript;

/// <summary>
/// Limits and capabilities of the TypeScript and JavaScript sandbox, set with <c>AddJavaScript(options =&gt; …)</c>.
/// Each limit fails the job that reaches it, with a message naming the limit; the other jobs go on.
/// </summary>
public sealed class JavaScriptOptions
{
    /// <summary>
    /// The name of the <see cref="HttpClient"/> that <c>fetch</c> uses; configure it with
    /// <c>services.AddHttpClient(JavaScriptOptions.FetchHttpClientName, …)</c>. Its primary handler must not follow
    /// redirects: <c>AddJavaScript</c> sets <c>AllowAutoRedirect = false</c> on a <see cref="SocketsHttpHandler"/> or
    /// <see cref="HttpClientHandler"/> after the host's own configuration, and <c>fetch</c> refuses a response that a
    /// handler of another kind redirected.
    /// </summary>
    public const string FetchHttpClientName = "Windmill.Webhooks.JavaScript.Fetch";

    /// <summary>
    /// How long a script may run when its version sets no <c>timeout</c>. Default: 60 seconds. Any timeout is held to
    /// 24 days at most, and bounds each regular expression match too.
    /// </summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long one flow expression (an input transform, <c>skip_if</c>, <c>stop_after_if</c>, a branch condition, an
    /// iterator) may run. Default: 5 seconds. The other limits apply to expressions too.
    /// </summary>
    public TimeSpan ExpressionTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The most memory, in bytes, that one run may allocate. Default: 256 MiB.</summary>
    public long MemoryLimit { get; set; } = 256L * 1024 * 1024;

    /// <summary>The deepest a script's calls may nest. Default: 256.</summary>
    public int MaxRecursionDepth { get; set; } = 256;

    /// <summary>The most statements one run may execute. Default: 100 million.</summary>
    public int MaxStatements { get; set; } = 100_000_000;

    /// <summary>The largest array a script may create, in elements. Default: 10 million.</summary>
    public uint MaxArraySize { get; set; } = 10_000_000;

    /// <summary>How many prepared scripts (one per version, or per inline code) are kept in memory. Default: 1,000.</summary>
    public int MaxCachedScripts { get; set; } = 1_000;

    /// <summary>
    /// The hosts that a script's <c>fetch</c> may reach, such as <c>api.example.com</c> (exact host names, compared
    /// case-insensitively, on any port; only <c>http</c> and <c>https</c> URLs). Empty (the default): scripts have no
    /// <c>fetch</c> at all. <c>fetch</c> follows at most 5 redirects itself, checking each target against this list
    /// before requesting it, and rejects with a <c>TypeError</c> a URL or redirect it refuses. Requests go through the
    /// <see cref="HttpClient"/> named <see cref="FetchHttpClientName"/>.
    /// </summary>
    public ISet<string> FetchAllowedHosts { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The largest response body a <c>fetch</c> reads, in bytes. Default: 10 MiB.</summary>
    public long MaxFetchResponseSize { get; set; } = 10L * 1024 * 1024;
}
