using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.AspNetCore.Tests.Tokens;

/// <summary>
/// Runs the sample through token creation, webhooks with header, cookie and query tokens (one asking for every
/// credential with <c>include_header</c> and <c>include_query</c>), and deletion, then searches the SQLite file,
/// its WAL, every log line and the job routes' answers for each token's plaintext and the other secrets.
/// </summary>
public sealed class SecretSearchTests : IAsyncLifetime
{
    private const string AdminToken = "sample-admin-token-for-secret-search";
    private const string ProxySecret = "proxy-secret-5d41402abc4b2a76";
    private const string ApiKeySecret = "api-key-secret-7d793037a0760186";
    private const string TraceValue = "trace-value-9e107d9d372bb682";
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"windmill-secrets-{Guid.NewGuid():N}.db");
    private readonly CapturingLoggerProvider _logs = new();
    private WebApplicationFactory<Program> _factory = null!;

    public ValueTask InitializeAsync()
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:Windmill", $"Data Source={_database}");
            web.UseSetting("Windmill:AdminToken", AdminToken);
            web.UseSetting("Windmill:SecretHeaders:0", "X-Api-Key");
            web.ConfigureLogging(logging => logging.AddProvider(_logs).AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace));
        });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(_database + suffix);
        }
    }

    [Fact]
    public async Task No_token_plaintext_reaches_the_database_its_wal_or_the_logs()
    {
        var client = _factory.CreateClient();
        var webhook = await CreateAsync(client, """{"label":"webhook-admin-ab12","scopes":["jobs:run:scripts:u/bot/hello_world"],"workspace_id":"demo"}""");
        var plain = await CreateAsync(client, """{"label":"ci"}""");
        var cookie = await CreateAsync(client, """{"label":"browser"}""");

        using (var header = new HttpRequestMessage(HttpMethod.Post, "/api/w/demo/jobs/run_wait_result/p/u/bot/hello_world").As(webhook).Json("{}"))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(header)).StatusCode);
        }

        using (var query = await client.PostAsync($"/api/w/demo/jobs/run_wait_result/p/u/bot/echo?token={plain}&include_query=token,a&a=1",
            new StringContent("""{"x":1}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, query.StatusCode);
            Assert.Equal("""{"x":1,"a":"1"}""", await query.Content.ReadAsStringAsync());
        }

        using (var withCookie = new HttpRequestMessage(HttpMethod.Post, "/api/w/demo/jobs/run/p/u/bot/hello_world").Json("{}"))
        {
            withCookie.Headers.Add("Cookie", "token=" + cookie);
            withCookie.Headers.Add("X-Windmill-Csrf", "1");
            Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(withCookie)).StatusCode);
        }

        // Every credential asked for as an arg, in every spelling: the job gets none of them, and the rest as usual.
        using (var credentials = new HttpRequestMessage(HttpMethod.Post, "/api/w/demo/jobs/run_wait_result/p/u/bot/echo"
            + $"?include_header=Authorization,cookie,PROXY-AUTHORIZATION,x-api-key,X-Trace&include_query=token,Token,a&a=1&token={webhook}").As(plain).Json("""{"x":1}"""))
        {
            credentials.Headers.Add("Cookie", $"token={cookie}; theme=dark");
            credentials.Headers.Add("Proxy-Authorization", "Bearer " + ProxySecret);
            credentials.Headers.Add("X-Api-Key", ApiKeySecret);
            credentials.Headers.Add("X-Trace", TraceValue);
            using var echoed = await client.SendAsync(credentials);
            Assert.Equal((HttpStatusCode.OK, $$"""{"x":1,"x_trace":"{{TraceValue}}","a":"1"}"""), (echoed.StatusCode, await echoed.Content.ReadAsStringAsync()));
        }

        var jobRoutes = await ReadJobRoutesAsync(client);
        Assert.Contains(TraceValue, jobRoutes, StringComparison.Ordinal);

        Assert.StartsWith("deleted 1 tokens", (await client.SendAsync(HttpMethod.Delete, $"/api/users/tokens/delete/{plain[..10]}", AdminToken)).Body,
            StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(HttpMethod.Get, "/api/users/tokens/list", plain)).Status);
        await _factory.Services.GetRequiredService<TokenService>().FlushUsageAsync(CancellationToken.None);

        string[] secrets = [webhook, plain, cookie, AdminToken, ProxySecret, ApiKeySecret];
        var files = new[] { "", "-wal" }.Select(s => _database + s).Where(File.Exists).ToList();
        Assert.NotEmpty(files);
        Assert.NotEmpty(_logs.Lines);
        foreach (var secret in secrets)
        {
            foreach (var file in files)
            {
                Assert.False(Contains(file, secret), $"a token's plaintext is in {Path.GetFileName(file)}");
            }

            Assert.DoesNotContain(_logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, jobRoutes, StringComparison.Ordinal);
        }

        // The hashes and the args are there: the search would have found a stored plaintext the same way.
        Assert.Contains(files, f => Contains(f, TokenService.Hash(webhook)));
        Assert.Contains(files, f => Contains(f, TraceValue));
    }

    // Every job as the job routes show it to the admin: the lists with args, and each job by id.
    private static async Task<string> ReadJobRoutesAsync(HttpClient client)
    {
        var answers = new StringBuilder();
        foreach (var list in new[] { "jobs/list", "jobs/completed/list", "jobs/queue/list" })
        {
            var listed = await client.SendAsync(HttpMethod.Get, $"/api/w/demo/{list}?include_args=true&per_page=100", AdminToken);
            Assert.Equal(HttpStatusCode.OK, listed.Status);
            answers.AppendLine(listed.Body);
        }

        var ids = System.Text.Json.JsonDocument.Parse((await client.SendAsync(HttpMethod.Get, "/api/w/demo/jobs/list?per_page=100", AdminToken)).Body)
            .RootElement.EnumerateArray().Select(job => job.GetProperty("id").GetString()).ToList();
        Assert.Equal(4, ids.Count);
        foreach (var id in ids)
        {
            foreach (var route in new[] { "jobs_u/get", "jobs_u/completed/get", "jobs_u/completed/get_result" })
            {
                answers.AppendLine((await client.SendAsync(HttpMethod.Get, $"/api/w/demo/{route}/{id}", AdminToken)).Body);
            }
        }

        return answers.ToString();
    }

    private static async Task<string> CreateAsync(HttpClient client, string body)
    {
        var created = await client.SendAsync(HttpMethod.Post, "/api/users/tokens/create", AdminToken, body);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        return created.Body;
    }

    private static bool Contains(string file, string text)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray().AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull
            {
                lines.Enqueue($"{category} scope: {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                lines.Enqueue($"{category} {formatter(state, exception)} {fields} {exception}");
            }
        }
    }
}
