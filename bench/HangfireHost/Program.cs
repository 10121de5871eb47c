// The peer: Hangfire (Hangfire.Core with Hangfire.Storage.SQLite) behind a minimal-API endpoint that does
// what the ceiling does (bearer check: SHA-256 against a known hash; JSON parse), then enqueues a no-op
// job and answers 201 with Hangfire's job id. SQLite in WAL mode with synchronous=FULL, as ours.
// `--Bench:Mode=serve` (default) answers HTTP with a BackgroundJobServer running, as deployed;
// `--Bench:Mode=drain` enqueues Bench:Jobs jobs with no server, then starts one and times the drain.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hangfire;
using Hangfire.Storage.SQLite;
using Windmill.Webhooks.Bench.HangfireHost;

var configuration = new ConfigurationBuilder().AddCommandLine(args).Build();
var database = configuration["Bench:Db"] ?? throw new InvalidOperationException("Bench:Db is required.");
var synchronous = configuration["Bench:Synchronous"] ?? "FULL";
var workers = int.Parse(configuration["Bench:Workers"] ?? "32", CultureInfo.InvariantCulture);
using var storage = HangfireStorage.Create(database, synchronous);

if (configuration["Bench:Mode"] == "drain")
{
    var jobs = int.Parse(configuration["Bench:Jobs"] ?? "5000", CultureInfo.InvariantCulture);
    var payload = configuration["Bench:Payload"] ?? "{}";
    var limit = TimeSpan.FromSeconds(double.Parse(configuration["Bench:MaxSeconds"] ?? "120", CultureInfo.InvariantCulture));
    Console.WriteLine(JsonSerializer.Serialize(HangfireDrain.Run(storage, workers, jobs, payload, limit)));
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
var token = builder.Configuration["Bench:Token"] ?? throw new InvalidOperationException("Bench:Token is required.");
var knownHash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
var client = new BackgroundJobClient(storage);

var app = builder.Build();
app.MapPost("/api/w/{workspace}/jobs/run/p/{**path}", async (HttpContext context) =>
{
    var authorization = context.Request.Headers.Authorization.ToString();
    if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal)
        || !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(authorization[7..].Trim())), knownHash))
    {
        return Results.Text("Not authorized: Unauthorized", "text/plain; charset=utf-8", statusCode: 401);
    }

    string args;
    try
    {
        using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        args = document.RootElement.GetRawText();
    }
    catch (JsonException)
    {
        return Results.Text("Bad request: invalid json", "text/plain; charset=utf-8", statusCode: 400);
    }

    // Hangfire's client is synchronous: the request thread waits for SQLite's commit.
    var id = client.Enqueue(() => BenchJobs.Noop(args));
    return Results.Text(id, "text/plain; charset=utf-8", statusCode: 201);
});
app.MapGet("/bench/ready", () => "ok");

// As deployed, a server runs beside the endpoint; Bench:Server=false measures the enqueue alone.
using var server = configuration["Bench:Server"] == "false"
    ? null
    : new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = workers }, storage);
app.Run();
