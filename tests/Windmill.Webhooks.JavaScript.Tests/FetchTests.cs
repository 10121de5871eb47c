using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Windmill.Webhooks.JavaScript.Tests;

/// <summary>fetch follows redirects only to allowed hosts, and its failures reject its promise or end the run at its limit.</summary>
public sealed class FetchTests
{
    // Catches what fetch rejects with, so that the job's result shows it.
    private const string Caught = "catch (e) { return [e.name, e.message]; }";

    [Theory]
    [InlineData("http://localhost:{other}/", "fetch: host 'localhost' is not allowed; the host allows only 127.0.0.1")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "fetch: host '169.254.169.254' is not allowed; the host allows only 127.0.0.1")]
    [InlineData("file:///etc/passwd", "fetch: 'file:///etc/passwd' is not an absolute http or https URL")]
    public async Task A_redirect_to_a_host_not_allowed_is_refused_before_it_is_requested(string location, string message)
    {
        using var other = new LocalHttpServer();
        using var allowed = new LocalHttpServer((context, _) => RedirectAsync(context, HttpStatusCode.Found, location.Replace("{other}", other.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)));
        await using var host = await JavaScriptHost.StartAsync(options => options.FetchAllowedHosts.Add("127.0.0.1"));

        var job = await host.RunInlineAsync($"export async function main() {{ try {{ return await fetch('{allowed.Url}'); }} {Caught} }}");

        job.AssertSucceeded(JsonSerializer.Serialize(new[] { "TypeError", message }));
        Assert.Equal(1, allowed.Requests);
        Assert.Equal(0, other.Requests);
    }

    [Theory]
    [InlineData(HttpStatusCode.Found, "GET", "")]
    [InlineData(HttpStatusCode.SeeOther, "GET", "")]
    [InlineData(HttpStatusCode.TemporaryRedirect, "POST", "sent")]
    [InlineData(HttpStatusCode.PermanentRedirect, "POST", "sent")]
    public async Task A_redirect_to_an_allowed_host_is_followed_as_the_fetch_standard_says(HttpStatusCode status, string method, string body)
    {
        using var target = new LocalHttpServer();
        using var allowed = new LocalHttpServer((context, _) => RedirectAsync(context, status, target.UrlFor("LOCALHOST") + "final?x=1"));
        await using var host = await JavaScriptHost.StartAsync(options =>
        {
            options.FetchAllowedHosts.Add("127.0.0.1");
            options.FetchAllowedHosts.Add("localhost"); // the allow-list names hosts, whatever their port
        });

        var job = await host.RunInlineAsync($$"""
            export async function main() {
              const response = await fetch("{{allowed.Url}}start", { method: "POST", body: "sent", headers: { "X-Test": "kept" } });
              return { status: response.status, redirected: response.redirected, url: response.url, data: await response.json() };
            }
            """);

        job.AssertSucceeded($$$"""{"status":200,"redirected":true,"url":"{{{target.UrlFor("localhost")}}}final?x=1","data":{"method":"{{{method}}}","path":"/final?x=1","header":"kept","body":"{{{body}}}"}}""");
        Assert.Equal((1, 1), (allowed.Requests, target.Requests));
    }

    [Fact]
    public async Task A_primary_handler_the_host_chose_does_not_follow_redirects_either()
    {
        using var other = new LocalHttpServer();
        using var allowed = new LocalHttpServer((context, _) => RedirectAsync(context, HttpStatusCode.Found, other.UrlFor("localhost")));
        await using var host = await JavaScriptHost.StartAsync(
            options => options.FetchAllowedHosts.Add("127.0.0.1"),
            services: s => s.AddHttpClient(JavaScriptOptions.FetchHttpClientName).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler()));

        var job = await host.RunInlineAsync($"export async function main() {{ try {{ return await fetch('{allowed.Url}'); }} {Caught} }}");

        job.AssertSucceeded(JsonSerializer.Serialize(new[] { "TypeError", "fetch: host 'localhost' is not allowed; the host allows only 127.0.0.1" }));
        Assert.Equal(0, other.Requests);
    }

    [Theory]
    [InlineData("127.0.0.1", "secret")]
    [InlineData("localhost", null)]
    public async Task Credentials_follow_a_redirect_only_to_the_same_origin(string targetHost, string? expected)
    {
        // One server, named by two hosts: the same port under another host name is another origin.
        LocalHttpServer allowed = null!;
        allowed = new LocalHttpServer(async (context, stopped) =>
        {
            if (context.Request.RawUrl == "/")
            {
                await RedirectAsync(context, HttpStatusCode.TemporaryRedirect, allowed.UrlFor(targetHost) + "final");
                return;
            }

            var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(context.Request.Headers["Authorization"]));
            await context.Response.OutputStream.WriteAsync(bytes, stopped);
            context.Response.Close();
        });
        using var _ = allowed;
        await using var host = await JavaScriptHost.StartAsync(options =>
        {
            options.FetchAllowedHosts.Add("127.0.0.1");
            options.FetchAllowedHosts.Add("localhost");
        });

        var job = await host.RunInlineAsync($"export async function main() {{ return await (await fetch('{allowed.Url}', {{ headers: {{ Authorization: 'secret' }} }})).json(); }}");

        job.AssertSucceeded(JsonSerializer.Serialize(expected));
    }

    [Fact]
    public async Task Redirects_are_followed_five_times_at_most()
    {
        LocalHttpServer server = null!;
        server = new LocalHttpServer((context, _) => RedirectAsync(context, HttpStatusCode.Found, server.Url + "again"));
        using var _ = server;
        await using var host = await JavaScriptHost.StartAsync(options => options.FetchAllowedHosts.Add("127.0.0.1"));

        var job = await host.RunInlineAsync($"export async function main() {{ try {{ return await fetch('{server.Url}'); }} {Caught} }}");

        job.AssertSucceeded(JsonSerializer.Serialize(new[] { "TypeError", $"fetch: more than 5 redirects from '{server.Url}'" }));
        Assert.Equal(6, server.Requests);
    }

    [Fact]
    public async Task An_invalid_method_rejects_the_promise_with_a_type_error()
    {
        using var server = new LocalHttpServer();
        await using var host = await JavaScriptHost.StartAsync(options => options.FetchAllowedHosts.Add("127.0.0.1"));

        var job = await host.RunInlineAsync($"export async function main() {{ try {{ return await fetch('{server.Url}', {{ method: 'bad method' }}); }} {Caught} }}");

        job.AssertSucceeded("""["TypeError","fetch failed: The format of the HTTP method is invalid."]""");
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task A_connection_closed_mid_body_rejects_the_promise_with_a_type_error()
    {
        using var server = new LocalHttpServer(async (context, stopped) =>
        {
            context.Response.ContentLength64 = 1_000;
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes("partial"), stopped);
            await context.Response.OutputStream.FlushAsync(stopped);
            context.Response.Abort();
        });
        await using var host = await JavaScriptHost.StartAsync(options => options.FetchAllowedHosts.Add("127.0.0.1"));

        var job = await host.RunInlineAsync($"export async function main() {{ try {{ return await fetch('{server.Url}'); }} catch (e) {{ return e.name + ': ' + e.message.startsWith('fetch failed: '); }} }}");

        job.AssertSucceeded("\"TypeError: true\"");
    }

    [Fact]
    public async Task The_http_clients_own_timeout_rejects_the_promise_with_a_type_error()
    {
        using var server = new LocalHttpServer((_, stopped) => Task.Delay(Timeout.Infinite, stopped));
        await using var host = await JavaScriptHost.StartAsync(
            options => options.FetchAllowedHosts.Add("127.0.0.1"),
            services: s => s.AddHttpClient(JavaScriptOptions.FetchHttpClientName, client => client.Timeout = TimeSpan.FromMilliseconds(100)));

        var job = await host.RunInlineAsync($"export async function main() {{ try {{ return await fetch('{server.Url}'); }} {Caught} }}");

        job.AssertSucceeded("""["TypeError","fetch failed: The request was canceled due to the configured HttpClient.Timeout of 0.1 seconds elapsing."]""");
    }

    [Fact]
    public async Task A_body_that_stalls_ends_at_the_scripts_timeout()
    {
        using var server = new LocalHttpServer(async (context, stopped) =>
        {
            context.Response.ContentLength64 = 1_000;
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes("partial"), stopped);
            await context.Response.OutputStream.FlushAsync(stopped);
            await Task.Delay(Timeout.Infinite, stopped);
        });
        await using var host = await JavaScriptHost.StartAsync(options => options.FetchAllowedHosts.Add("127.0.0.1"));
        var version = await host.DeployAsync($"export async function main() {{ return await (await fetch('{server.Url}')).text(); }}", timeout: TimeSpan.FromMilliseconds(300));

        var error = (await host.RunAsync(version)).AssertFailed("TimeoutError");

        Assert.Equal("Script timed out after 0.3 s (its timeout).", error.GetProperty("message").GetString());
    }

    private static Task RedirectAsync(HttpListenerContext context, HttpStatusCode status, string location)
    {
        context.Response.StatusCode = (int)status;
        context.Response.RedirectLocation = location;
        context.Response.Close();
        return Task.CompletedTask;
    }
}
