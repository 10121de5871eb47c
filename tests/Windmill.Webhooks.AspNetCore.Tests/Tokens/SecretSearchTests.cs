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
/// Runs the sample through token creation, webhooks with header, cookie and query tokens, and deletion,
/// then searches the SQLite file, its WAL and every log line for each token's plaintext.
/// </summary>
public sealed class SecretSearchTests : IAsyncLifetime
{
    private const string AdminToken = "sample-admin-token-for-secret-search";
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"windmill-secrets-{Guid.NewGuid():N}.db");
    private readonly CapturingLoggerProvider _logs = new();
    private WebApplicationFactory<Program> _factory = null!;

    public Task InitializeAsync()
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:Windmill", $"Data Source={_database}");
            web.UseSetting("Windmill:AdminToken", AdminToken);
            web.ConfigureLogging(logging => logging.AddProvider(_logs).AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace));
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
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

        Assert.StartsWith("deleted 1 tokens", (await client.SendAsync(HttpMethod.Delete, $"/api/users/tokens/delete/{plain[..10]}", AdminToken)).Body,
            StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(HttpMethod.Get, "/api/users/tokens/list", plain)).Status);
        await _factory.Services.GetRequiredService<TokenService>().FlushUsageAsync(CancellationToken.None);

        string[] secrets = [webhook, plain, cookie, AdminToken];
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
        }

        // The hashes are there: the search would have found a stored plaintext the same way.
        Assert.Contains(files, f => Contains(f, TokenService.Hash(webhook)));
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
