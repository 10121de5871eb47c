using System.Text;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Interop;

namespace Windmill.Webhooks.JavaScript.Execution;

/// <summary>
/// The <c>fetch</c> a script gets when the host allows some hosts: a request to any other host is rejected with a
/// <c>TypeError</c> naming it. The request goes through the host's named <see cref="HttpClient"/>; it is sent and its
/// body read before the returned promise settles (the engine is single-threaded), within the run's time limit.
/// </summary>
internal sealed class ScriptFetch
{
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
        catch (HttpRequestException e)
        {
            reject(engine.Construct("TypeError", "fetch failed: " + e.Message));
        }

        return promise;
    }

    private JsObject Send(Engine engine, JsValue[] args, CancellationToken stop)
    {
        var target = args.Length > 0 ? args[0] : JsValue.Undefined;
        var url = target is ObjectInstance request && request.Get("url") is var u && u.IsString() ? u.AsString() : TypeConverter.ToString(target);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new FetchRefusedException($"fetch: '{url}' is not an absolute http or https URL");
        }

        if (!_options.FetchAllowedHosts.Contains(uri.Host))
        {
            throw new FetchRefusedException($"fetch: host '{uri.Host}' is not allowed; the host allows only {string.Join(", ", _options.FetchAllowedHosts.Order(StringComparer.Ordinal))}");
        }

        using var message = new HttpRequestMessage(HttpMethod.Get, uri);
        if (args.Length > 1 && args[1] is ObjectInstance init)
        {
            if (init.Get("method") is var method && method.IsString())
            {
                message.Method = new HttpMethod(method.AsString().ToUpperInvariant());
            }

            if (init.Get("body") is var body && !body.IsNull() && !body.IsUndefined())
            {
                message.Content = new StringContent(TypeConverter.ToString(body), Encoding.UTF8);
                message.Content.Headers.ContentType = null;
            }

            if (init.Get("headers") is ObjectInstance headers)
            {
                foreach (var key in headers.GetOwnPropertyKeys())
                {
                    var name = key.ToString();
                    var value = TypeConverter.ToString(headers.Get(key));
                    if (!message.Headers.TryAddWithoutValidation(name, value))
                    {
                        message.Content ??= new ByteArrayContent([]);
                        message.Content.Headers.TryAddWithoutValidation(name, value);
                    }
                }
            }
        }

        using var response = _clients.CreateClient(JavaScriptOptions.FetchHttpClientName).Send(message, HttpCompletionOption.ResponseHeadersRead, stop);
        var text = ReadBody(response, stop);
        return Response(engine, response, uri, text);
    }

    private string ReadBody(HttpResponseMessage response, CancellationToken stop)
    {
        using var stream = response.Content.ReadAsStream(stop);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            stop.ThrowIfCancellationRequested();
            buffer.Write(chunk, 0, read);
            if (buffer.Length > _options.MaxFetchResponseSize)
            {
                throw new FetchRefusedException($"fetch: the response is larger than {_options.MaxFetchResponseSize} bytes (JavaScriptOptions.MaxFetchResponseSize)");
            }
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static JsObject Response(Engine engine, HttpResponseMessage response, Uri uri, string text)
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
}
