using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Windmill.Webhooks.Dashboard.Tests.Infrastructure;

/// <summary>
/// Another site for CSRF tests: a real HTTP server on <c>http://localhost:&lt;port&gt;</c>, which is not the same
/// site as the sample's <c>http://127.0.0.1:&lt;port&gt;</c> but is on the same loopback address space, so the
/// browser's private-network rules do not stand in for the defences under test. It answers every request
/// with one HTML page.
/// </summary>
internal sealed class AttackerSite : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _html;

    public AttackerSite(string body)
    {
        _html = $"<!doctype html><html><head><title>attacker</title></head><body>{body}</body></html>";
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://localhost:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _ = ServeAsync();
    }

    public string Url { get; }

    public void Dispose() => _listener.Close();

    private async Task ServeAsync()
    {
        try
        {
            while (_listener.IsListening)
            {
                var context = await _listener.GetContextAsync();
                var bytes = Encoding.UTF8.GetBytes(_html);
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
        {
            // Closed at the end of the test.
        }
    }
}
