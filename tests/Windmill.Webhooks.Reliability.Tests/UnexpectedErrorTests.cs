using Microsoft.Extensions.DependencyInjection;
using Windmill.Webhooks.Reliability.Tests.Infrastructure;
using Windmill.Webhooks.Audit;
using Windmill.Webhooks.Scripts;
using Windmill.Webhooks.Storage.Sqlite;

namespace Windmill.Webhooks.Reliability.Tests;

/// <summary>A failure nobody foresaw still gets an answer in Windmill's format, with no stack trace, and the app serves on.</summary>
public sealed class UnexpectedErrorTests
{
    [Fact]
    public async Task An_unexpected_exception_answers_500_Internal_with_the_trace_id_and_no_stack_trace()
    {
        using var database = new DatabaseFile();
        var store = new BreakableScriptStore();
        await using var app = new ReliabilityApp(database, configureServices: services =>
            services.AddSingleton<IScriptStore>(sp => store.Over(sp.GetRequiredService<SqliteScriptStore>())));
        using var client = app.CreateAdminClient();
        using (var before = await client.GetAsync(ReliabilityApp.Api + "/scripts/get/p/u/bot/echo"))
        {
            Assert.Equal(200, (int)before.StatusCode);
        }

        store.Broken = true;
        using var request = new HttpRequestMessage(HttpMethod.Get, ReliabilityApp.Api + "/scripts/get/p/u/bot/echo");
        request.Headers.Add(ReliabilityApp.TraceIdHeader, "trace-42");
        using var broken = await client.SendAsync(request);
        store.Broken = false;
        using var after = await client.GetAsync(ReliabilityApp.Api + "/scripts/get/p/u/bot/echo");

        Assert.Equal((500, Wire.Text, "Internal: unexpected error, trace id trace-42"), await Answers.ReadAsync(broken));
        Assert.Equal(200, (int)after.StatusCode);
    }

    /// <summary>The real store, whose reads throw while <see cref="Broken"/> is set.</summary>
    private sealed class BreakableScriptStore
    {
        public volatile bool Broken;

        public IScriptStore Over(IScriptStore inner) => new Store(inner, this);

        private sealed class Store(IScriptStore inner, BreakableScriptStore owner) : IScriptStore
        {
            public ValueTask<ScriptVersion?> GetLatestAsync(string workspace, string path, CancellationToken cancellationToken) =>
                owner.Broken ? throw new InvalidOperationException("the script store broke in a way nobody foresaw") : inner.GetLatestAsync(workspace, path, cancellationToken);

            public ValueTask<ScriptVersion?> GetByHashAsync(string workspace, ScriptHash hash, CancellationToken cancellationToken) =>
                inner.GetByHashAsync(workspace, hash, cancellationToken);

            public bool CommitsWith(IAuditSink audit) => inner.CommitsWith(audit);

            public ValueTask AddVersionAsync(ScriptVersion version, AuditEntry? audit, CancellationToken cancellationToken) =>
                inner.AddVersionAsync(version, audit, cancellationToken);

            public ValueTask<bool> ArchiveAsync(string workspace, ScriptHash hash, AuditEntry? audit, CancellationToken cancellationToken) =>
                inner.ArchiveAsync(workspace, hash, audit, cancellationToken);

            public ValueTask<bool> ArchivePathAsync(string workspace, string path, AuditEntry? audit, CancellationToken cancellationToken) =>
                inner.ArchivePathAsync(workspace, path, audit, cancellationToken);

            public ValueTask<bool> DeletePathAsync(string workspace, string path, AuditEntry? audit, CancellationToken cancellationToken) =>
                inner.DeletePathAsync(workspace, path, audit, cancellationToken);

            public IAsyncEnumerable<ScriptVersion> GetHistoryAsync(string workspace, string path, CancellationToken cancellationToken) =>
                inner.GetHistoryAsync(workspace, path, cancellationToken);

            public IAsyncEnumerable<ScriptVersion> ListAsync(ScriptQuery query, CancellationToken cancellationToken) => inner.ListAsync(query, cancellationToken);
        }
    }
}
