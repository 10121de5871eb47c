using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Windmill.Webhooks.JavaScript.Tests;

/// <summary>
/// An HTTP server on the loopback interface that counts its requests and answers each with its handler (given a token canceled when the server is disposed, for handlers that stall); by default it
/// echoes what it receives as JSON. It listens on every host name, so that <see cref="UrlFor"/> can name it as any host.
/// </summary>
internal sealed class LocalHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<HttpListenerContext, CancellationToken, Task> _handle;
    private readonly CancellationTokenSource _stopped = new();
    private int _requests;

    public LocalHttpServer(Func<HttpListenerContext, CancellationToken, Task>? handle = null)
    {
        _handle = handle ?? ((context, _) => EchoAsync(context));
        Port = FreePort();
        _listener.Prefixes.Add($"http://+:{Port}/");
        _listener.Start();
        _ = ServeAsync();
    }

    public int Port { get; }

    public string Url => UrlFor("127.0.0.1");

    public int Requests => Volatile.Read(ref _requests);

    public string UrlFor(string host) => $"http://{host}:{Port}/";

    public void Dispose()
    {
        _stopped.Cancel();
        _listener.Close();
        _stopped.Dispose();
    }

    public static async Task EchoAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream);
        var body = await reader.ReadToEndAsync();
        var json = System.Text.Json.JsonSerializer.Serialize(new
        {
            method = context.Request.HttpMethod,
            path = context.Request.RawUrl,
            header = context.Request.Headers["X-Test"],
            body,
        });
        var bytes = Encoding.UTF8.GetBytes(json);
        context.Response.ContentType = "application/json";
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _requests);
            _ = HandleAsync(context);
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            await _handle(context, _stopped.Token);
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // The client went away, or the test ended while the handler stalled.
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
