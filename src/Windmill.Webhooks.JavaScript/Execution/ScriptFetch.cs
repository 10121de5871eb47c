using System.Net;
using System.Text;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Interop;

namespace Windmill.Webhooks.JavaScript.Execution;

/// <summary>
/// The <c>fetch</c> a script gets when the host allows some hosts: a request to any other host, or to a scheme other
/// than http and https, is rejected with a <c>TypeError</c> naming it. The request goes through the host's named
/// <see cref="HttpClient"/>, whose handler must not follow redirects itself (<c>AddJavaScript</c> turns that off):
/// this class follows up to <see cref="MaxRedirects"/> of them, checking each target like the first URL, so an allowed
/// host cannot redirect a script to one that is not. The request is sent and its body read before the returned promise
/// settles (the engine is single-threaded), both within the run's time limit. Network and protocol failures reject the
/// promise with a <c>TypeError</c>, as browsers do.
/// </summary>
internal sealed class ScriptFetch
{
    /// <summary>The most redirects one <c>fetch</c> follows, as browsers cap them (at 20).</summary>
    public const int MaxRedirects = 5;

    private readonly IHttpClientFactory _clients;
    private readonly JavaScriptOptions _options;

    public ScriptFetch(IHttpClientFactory clients, JavaScriptOptions options)
    {
        _clients = clients;
        _options = options;
    }

    public JsValue Fetch(Engine engine, JsValue[] args, CancellationToken stop)
    {
        var (promise, resolve, reject) = engine.Advanced.RegisterPromise();
        try
        {
            resolve(Send(engine, args, stop));
        }
        catch (FetchRefusedException e)
        {
            reject(engine.Construct("TypeError", e.Message));
        }
        catch (JavaScriptException e)
        {
            reject(e.Error); // the script's own code threw, in a getter or a toString of the request
        }
        catch (Exception e) when (e is not JintException)
        {
            // The run's end (its timeout, or the job's cancellation) ends the run, not just this promise.
            stop.ThrowIfCancellationRequested();
            reject(engine.Construct("TypeError", "fetch failed: " + e.Message));
        }

        return promise;
    }

    private JsObject Send(Engine engine, JsValue[] args, CancellationToken stop)
    {
        var target = args.Length > 0 ? args[0] : JsValue.Undefined;
        var url = target is ObjectInstance request && request.Get("url") is var u && u.IsString() ? u.AsString() : TypeConverter.ToString(target);
        var uri = Allowed(url);
        var init = FetchInit.From(args.Length > 1 ? args[1] : JsValue.Undefined);
        var client = _clients.CreateClient(JavaScriptOptions.FetchHttpClientName);
        for (var redirects = 0; ; redirects++)
        {
            using var message = init.ToMessage(uri);
            using var response = client.Send(message, HttpCompletionOption.ResponseHeadersRead, stop);
            if (response.RequestMessage?.RequestUri is { } sent && sent != uri)
            {
                throw new FetchRefusedException($"fetch: the HttpClient '{JavaScriptOptions.FetchHttpClientName}' followed a redirect itself; its primary handler must keep AllowAutoRedirect = false");
            }

            if (!IsRedirect(response.StatusCode) || response.Headers.Location is not { } location)
            {
                return Response(engine, response, uri, redirects > 0, ReadBody(response, stop));
            }

            if (redirects == MaxRedirects)
            {
                throw new FetchRefusedException($"fetch: more than {MaxRedirects} redirects from '{url}'");
            }

            var next = Allowed(new Uri(uri, location).ToString());
            init = init.Redirected(response.StatusCode, sameOrigin: Uri.Compare(uri, next, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0);
            uri = next;
        }
    }

    // A URL the script may reach: absolute, http or https, to an allowed host (any port).
    private Uri Allowed(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new FetchRefusedException($"fetch: '{url}' is not an absolute http or https URL");
        }

        if (!_options.FetchAllowedHosts.Contains(uri.Host))
        {
            throw new FetchRefusedException($"fetch: host '{uri.Host}' is not allowed; the host allows only {string.Join(", ", _options.FetchAllowedHosts.Order(StringComparer.Ordinal))}");
        }

        return uri;
    }

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private string ReadBody(HttpResponseMessage response, CancellationToken stop)
    {
        // The read is synchronous (the engine is), so the run's end disposes the response to unblock it.
        using var abort = stop.Register(static r => ((HttpResponseMessage)r!).Dispose(), response);
        try
        {
            using var stream = response.Content.ReadAsStream(stop);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = stream.Read(chunk)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > _options.MaxFetchResponseSize)
                {
                    throw new FetchRefusedException($"fetch: the response is larger than {_options.MaxFetchResponseSize} bytes (JavaScriptOptions.MaxFetchResponseSize)");
                }
            }

            stop.ThrowIfCancellationRequested();
            return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (Exception e) when (stop.IsCancellationRequested && e is not OperationCanceledException)
        {
            throw new OperationCanceledException("fetch was stopped with its run", e, stop);
        }
    }

    private static JsObject Response(Engine engine, HttpResponseMessage response, Uri uri, bool redirected, string text)
    {
        var headers = new JsObject(engine);
        headers.Set("get", new ClrFunction(engine, "get", (_, args) =>
        {
            var name = args.Length > 0 ? TypeConverter.ToString(args[0]) : "";
            var values = response.Headers.TryGetValues(name, out var found) ? found
                : response.Content.Headers.TryGetValues(name, out var content) ? content : null;
            return values is null ? JsValue.Null : new JsString(string.Join(", ", values));
        }));

        var result = new JsObject(engine);
        result.Set("status", (int)response.StatusCode);
        result.Set("ok", response.IsSuccessStatusCode);
        result.Set("statusText", response.ReasonPhrase ?? "");
        result.Set("url", uri.ToString());
        result.Set("redirected", redirected);
        result.Set("headers", headers);
        result.Set("text", new ClrFunction(engine, "text", (_, _) => Settled(engine, new JsString(text))));
        result.Set("json", new ClrFunction(engine, "json", (_, _) => Settled(engine, new Jint.Native.Json.JsonParser(engine).Parse(text))));
        return result;
    }

    private static JsValue Settled(Engine engine, JsValue value)
    {
        var (promise, resolve, _) = engine.Advanced.RegisterPromise();
        resolve(value);
        return promise;
    }

    private sealed class FetchRefusedException(string message) : Exception(message);

    /// <summary>What a script's <c>init</c> asks for, kept as values so that each redirect builds its own request.</summary>
    private sealed record FetchInit(HttpMethod Method, string? Body, IReadOnlyList<KeyValuePair<string, string>> Headers)
    {
        // Credentials do not follow a redirect to another origin, as browsers and HttpClient's own redirects drop them.
        private static readonly HashSet<string> Credentials = new(StringComparer.OrdinalIgnoreCase) { "Authorization", "Cookie", "Proxy-Authorization" };

        public static FetchInit From(JsValue value)
        {
            if (value is not ObjectInstance init)
            {
                return new FetchInit(HttpMethod.Get, null, []);
            }

            var method = init.Get("method") is var m && m.IsString() ? new HttpMethod(m.AsString().ToUpperInvariant()) : HttpMethod.Get;
            var body = init.Get("body") is var b && !b.IsNull() && !b.IsUndefined() ? TypeConverter.ToString(b) : null;
            var headers = new List<KeyValuePair<string, string>>();
            if (init.Get("headers") is ObjectInstance given)
            {
                foreach (var key in given.GetOwnPropertyKeys())
                {
                    headers.Add(KeyValuePair.Create(key.ToString(), TypeConverter.ToString(given.Get(key))));
                }
            }

            return new FetchInit(method, body, headers);
        }

        public HttpRequestMessage ToMessage(Uri uri)
        {
            var message = new HttpRequestMessage(Method, uri);
            if (Body is not null)
            {
                message.Content = new StringContent(Body, Encoding.UTF8);
                message.Content.Headers.ContentType = null;
            }

            foreach (var (name, value) in Headers)
            {
                if (!message.Headers.TryAddWithoutValidation(name, value))
                {
                    message.Content ??= new ByteArrayContent([]);
                    message.Content.Headers.TryAddWithoutValidation(name, value);
                }
            }

            return message;
        }

        // The request after a redirect, as the Fetch standard has it: 303 (and 301/302 after a POST) becomes a GET without
        // a body; 307 and 308 repeat the request as it was.
        public FetchInit Redirected(HttpStatusCode status, bool sameOrigin)
        {
            var asGet = (status == HttpStatusCode.SeeOther && Method != HttpMethod.Head)
                || (status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found && Method == HttpMethod.Post);
            var headers = Headers.Where(h => (sameOrigin || !Credentials.Contains(h.Key)) && !(asGet && h.Key.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))).ToList();
            return asGet ? new FetchInit(HttpMethod.Get, null, headers) : this with { Headers = headers };
        }
    }
}
