using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Windmill.Webhooks.Reliability.Tests.Infrastructure;
using Windmill.Webhooks.Storage.Sqlite;

namespace Windmill.Webhooks.Reliability.Tests;

/// <summary>Under load and pressure: many waiting callers, SQLite contention, and storage that refuses writes.</summary>
public sealed class PressureTests
{
    private const int Callers = 1000;
    private const string Echo = ReliabilityApp.Api + "/jobs/run/p/u/bot/echo";
    private const string EchoWait = ReliabilityApp.Api + "/jobs/run_wait_result/p/u/bot/echo";

    [Fact]
    public async Task A_thousand_concurrent_sync_callers_each_get_their_own_answer_despite_a_competing_writer()
    {
        using var database = new DatabaseFile();
        var settings = new Dictionary<string, string> { ["Windmill:WorkerCount"] = Callers.ToString(CultureInfo.InvariantCulture) };
        await using var app = new ReliabilityApp(database, settings);
        using var client = app.CreateAdminClient();
        using var everyoneAnswered = new CancellationTokenSource();
        var competingWriter = Task.Run(() => HoldWriteLockRepeatedly(database.ConnectionString, everyoneAnswered.Token));

        var callers = Enumerable.Range(0, Callers)
            .Select(n => client.PostAsync(ReliabilityApp.Api + "/jobs/run_wait_result/p/" + ScriptGate.Path, Wire.JsonBody($$"""{"n":{{n}}}""")))
            .ToArray();
        await app.Gate.StartedAsync(Callers).WaitAsync(Answers.Limit); // every job runs, every caller waits
        app.Gate.Open();
        var responses = await Task.WhenAll(callers).WaitAsync(Answers.Limit);
        await everyoneAnswered.CancelAsync();
        var lockHolds = await competingWriter;

        var answers = await Task.WhenAll(responses.Select(Answers.ReadAsync));
        var expected = Enumerable.Range(0, Callers).Select(n => (200, (string?)Wire.Json, n.ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(expected, answers);
        Assert.True(lockHolds > 0, "the competing writer never took the lock");
        Assert.Equal((Callers, Callers), (database.CountJobs(), database.CountJobRunAuditEntries()));
        Assert.Equal("ok", database.IntegrityCheck());
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_full_disk_answers_503_writes_nothing_and_recovers_when_space_returns()
    {
        using var database = new DatabaseFile();
        await using var app = new ReliabilityApp(database);
        using var client = app.CreateAdminClient();
        var large = $$"""{"blob":"{{new string('x', 64 * 1024)}}"}""";

        // The database may not grow by a single page: SQLite then fails writes with SQLITE_FULL, as on a full disk.
        await AssertWritesRefusedAsync(app, database, client, "max_page_count = (page count)", large, "Service unavailable: the database is full");

        await app.Services.GetRequiredService<SqliteDatabase>().WriteAsync(connection => Pragma(connection, "max_page_count = 1073741823"), CancellationToken.None);
        using var afterwards = await client.PostAsync(EchoWait, Wire.JsonBody(large));
        Assert.Equal((200, Wire.Json, large), await Answers.ReadAsync(afterwards));
    }

    [Fact]
    public async Task A_read_only_database_answers_503_writes_nothing_and_stays_intact()
    {
        using var database = new DatabaseFile();
        await using var app = new ReliabilityApp(database);
        using var client = app.CreateAdminClient();

        // The writer may no longer change the file: writes fail with SQLITE_READONLY, as on a read-only file or mount
        // (chmod cannot show it here: these tests run as root, whom file modes do not stop).
        await AssertWritesRefusedAsync(app, database, client, "query_only = 1", """{"a":1}""", "Service unavailable: the database is read-only");

        using var read = await client.GetAsync(ReliabilityApp.Api + "/scripts/get/p/u/bot/echo");
        Assert.Equal((200, Wire.Json), ((int)read.StatusCode, Wire.ContentType(read))); // reads still work
    }

    // After one good run, applies the pragma to the app's writer; then async and sync runs both get the 503, and the file
    // holds no new job or audit entry and passes integrity_check.
    private static async Task AssertWritesRefusedAsync(ReliabilityApp app, DatabaseFile database, HttpClient client, string pragma, string args,
        string expectedBody)
    {
        using (var first = await client.PostAsync(EchoWait, Wire.JsonBody("""{"warm":"up"}""")))
        {
            Assert.Equal((200, Wire.Json, """{"warm":"up"}"""), await Answers.ReadAsync(first));
        }

        var before = (database.CountJobs(), database.CountAuditEntries());
        await app.Services.GetRequiredService<SqliteDatabase>().WriteAsync(
            connection => Pragma(connection, pragma.Replace("(page count)", Pragma(connection, "page_count"), StringComparison.Ordinal)),
            CancellationToken.None);

        using var asyncRun = await client.PostAsync(Echo, Wire.JsonBody(args));
        using var syncRun = await client.PostAsync(EchoWait, Wire.JsonBody(args));

        Assert.Equal((503, Wire.Text, expectedBody), await Answers.ReadAsync(asyncRun));
        Assert.Equal((503, Wire.Text, expectedBody), await Answers.ReadAsync(syncRun));
        Assert.Equal(before, (database.CountJobs(), database.CountAuditEntries()));
        Assert.Equal("ok", database.IntegrityCheck());
    }

    private static string Pragma(SqliteConnection connection, string pragma)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA " + pragma;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "";
    }

    // Another process's writer, as far as SQLite can tell: takes the write lock again and again until told to stop.
    private static int HoldWriteLockRepeatedly(string connectionString, CancellationToken stop)
    {
        using var connection = new SqliteConnection(connectionString + ";Pooling=False");
        connection.Open();
        var holds = 0;
        while (!stop.IsCancellationRequested && holds < 100_000)
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = "SELECT count(*) FROM job";
                command.ExecuteScalar();
            }

            transaction.Commit();
            holds++;
        }

        return holds;
    }
}
