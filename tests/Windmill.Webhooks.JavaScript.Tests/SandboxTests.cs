namespace Windmill.Webhooks.JavaScript.Tests;

/// <summary>The sandbox reaches neither the CLR nor the file system, and the network only through an opted-in fetch.</summary>
public sealed class SandboxTests
{
    [Fact]
    public async Task The_clr_the_file_system_and_modules_are_unreachable()
    {
        await using var host = await JavaScriptHost.StartAsync();

        var job = await host.RunInlineAsync("""
            export function main() {
              const names = ["System", "importNamespace", "clrType", "require", "module", "Deno", "Bun", "fetch", "XMLHttpRequest", "host"];
              const types = names.map(n => `${n}:${typeof globalThis[n]}`);
              const escape = (() => { try { return String(console.log.constructor("return typeof System")()); } catch (e) { return e.name; } })();
              const getType = (() => { try { return typeof ({}).GetType; } catch (e) { return e.name; } })();
              return [...types, escape, getType, Object.keys(process).join(",")];
            }
            """);

        job.AssertSucceeded("""["System:undefined","importNamespace:undefined","clrType:undefined","require:undefined","module:undefined","Deno:undefined","Bun:undefined","fetch:undefined","XMLHttpRequest:undefined","host:undefined","undefined","undefined","env"]""");
    }

    [Fact]
    public async Task Require_and_file_access_fail_the_job()
    {
        await using var host = await JavaScriptHost.StartAsync();

        var error = (await host.RunInlineAsync("export function main() { return require('fs').readFileSync('/etc/passwd', 'utf8'); }", language: "javascript"))
            .AssertFailed("ReferenceError");

        Assert.Equal("require is not defined", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Fetch_is_absent_without_the_hosts_opt_in()
    {
        await using var host = await JavaScriptHost.StartAsync();

        var error = (await host.RunInlineAsync("export async function main() { return await fetch('http://127.0.0.1:1/'); }")).AssertFailed("ReferenceError");

        Assert.Equal("fetch is not defined", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Fetch_reaches_allowed_hosts_through_the_hosts_http_client()
    {
        using var server = new LocalHttpServer();
        await using var host = await JavaScriptHost.StartAsync(options => options.FetchAllowedHosts.Add("127.0.0.1"));

        var job = await host.RunInlineAsync($$"""
            export async function main() {
              const response = await fetch("{{server.Url}}echo?x=1", { method: "POST", body: JSON.stringify({ a: 1 }), headers: { "X-Test": "yes" } });
              const data = await response.json();
              return { status: response.status, ok: response.ok, type: response.headers.get("content-type"), data, sent: data.body === '{"a":1}' };
            }
            """);

        job.AssertSucceeded("""{"status":200,"ok":true,"type":"application/json","data":{"method":"POST","path":"/echo?x=1","header":"yes","body":"{\u0022a\u0022:1}"},"sent":true}""");
    }

    [Fact]
    public async Task Fetch_to_a_host_not_allowed_fails_with_a_clear_error()
    {
        using var server = new LocalHttpServer();
        await using var host = await JavaScriptHost.StartAsync(options => options.FetchAllowedHosts.Add("api.example.com"));

        var error = (await host.RunInlineAsync($"export async function main() {{ return await fetch('{server.Url}'); }}")).AssertFailed("TypeError");

        Assert.Equal("fetch: host '127.0.0.1' is not allowed; the host allows only api.example.com", error.GetProperty("message").GetString());
        Assert.Equal(0, server.Requests);
    }
}
