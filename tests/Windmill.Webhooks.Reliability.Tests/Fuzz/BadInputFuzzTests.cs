using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Windmill.Webhooks.Jobs;
using Windmill.Webhooks.Reliability.Tests.Infrastructure;

namespace Windmill.Webhooks.Reliability.Tests.Fuzz;

/// <summary>
/// Bad input never hurts: thousands of generated bad requests to every route are each answered with a 4xx in
/// Windmill's text format, none with a 5xx; nothing is written; and the app still serves afterwards. The corpus
/// includes the classes of issue 9 (invalid Unicode, out-of-range numbers, malformed dates in every field), and the
/// output counts the 5xx by kind.
/// </summary>
public sealed class BadInputFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 20250601;

    /// <summary>
    /// Windmill's error prefixes (docs/wire-format.md §8), its query-string rejection (§3.1) and queue limit (§2.4), and this
    /// library's for 413 and 429.
    /// </summary>
    private static readonly string[] WindmillPrefixes =
    [
        "Bad request: ", "Not authorized: ", "Permission denied: ", "Require Admin privileges", "Not found: ", "Invalid URL: ",
        "Payload too large: ", "Too many requests: ", "Failed to deserialize query string: ", "Number of queued job is too high: ",
    ];

    [Fact]
    public async Task Thousands_of_bad_requests_get_Windmill_4xx_answers_and_write_nothing()
    {
        using var database = new DatabaseFile();
        await using var app = new ReliabilityApp(database);
        using var admin = app.CreateAdminClient();
        var (existingJob, existingHash) = await SeedOneCompletedJobAsync(app, admin);
        var before = (database.CountJobs(), database.CountAuditEntries(), database.CountTokens());
        var requests = new BadRequestCorpus(Seed, existingJob, existingHash).Generate().ToList();

        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        var serverErrorsByKind = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var request in requests)
        {
            var context = await app.Server.SendAsync(request.Apply);
            var response = context.Response;
            var body = await new StreamReader(response.Body, Encoding.UTF8).ReadToEndAsync();
            statuses[response.StatusCode] = statuses.GetValueOrDefault(response.StatusCode) + 1;
            if (response.StatusCode >= 500)
            {
                serverErrorsByKind[request.Kind] = serverErrorsByKind.GetValueOrDefault(request.Kind) + 1;
            }

            if (Problem(request, response, body) is { } problem)
            {
                failures.Add($"{problem}: {request} -> {response.StatusCode} {response.ContentType ?? "(no content type)"} \"{(body.Length <= 160 ? body : body[..160] + "…")}\"");
            }
        }

        output.WriteLine($"{requests.Count} requests; statuses: {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}");
        output.WriteLine($"5xx: {serverErrorsByKind.Values.Sum()} ({string.Join(", ", serverErrorsByKind.Select(k => $"{k.Key}×{k.Value}"))})");
        Assert.True(requests.Count >= 3000, $"only {requests.Count} requests generated");
        Assert.Empty(serverErrorsByKind);
        Assert.True(failures.Count == 0, $"{failures.Count} of {requests.Count} answers broke the rule:\n{string.Join('\n', failures.Take(25))}");
        Assert.Equal(before, (database.CountJobs(), database.CountAuditEntries(), database.CountTokens()));
        Assert.Equal("ok", database.IntegrityCheck());

        using var stillServing = await admin.PostAsync(ReliabilityApp.Api + "/jobs/run_wait_result/p/u/bot/hello_world", Wire.JsonBody("{}"));
        Assert.Equal((200, Wire.Json, "\"Hello, world!\""), await Answers.ReadAsync(stillServing));
    }

    // A 4xx in Windmill's text format (or a 2xx from a read route given an odd but acceptable value); an empty body only
    // where Windmill (axum) and ASP.NET Core give one: 405 from routing, 415 from a run route, and 404 when no route matched at all.
    private static string? Problem(FuzzRequest request, HttpResponse response, string body)
    {
        var status = response.StatusCode;
        if (request.MayBeAccepted && status is >= 200 and <= 299)
        {
            return null;
        }

        if (status is < 400 or > 499)
        {
            return "not a 4xx";
        }

        var endpoint = response.Headers[ReliabilityApp.MatchedEndpointHeader].ToString();
        if (body.Length == 0)
        {
            var allowed = (status == 405 && endpoint.StartsWith("405 ", StringComparison.Ordinal))
                || status == 415
                || (status == 404 && endpoint == "(none)");
            return allowed ? null : $"empty {status} from endpoint {endpoint}";
        }

        if (response.ContentType != Wire.Text)
        {
            return "not text/plain";
        }

        return WindmillPrefixes.Any(prefix => body.StartsWith(prefix, StringComparison.Ordinal)) || body == "Unauthorized"
            ? null
            : "no Windmill error prefix";
    }

    private static async Task<(Guid Job, string Hash)> SeedOneCompletedJobAsync(ReliabilityApp app, HttpClient admin)
    {
        using var run = await admin.PostAsync(ReliabilityApp.Api + "/jobs/run/p/u/bot/echo", Wire.JsonBody("""{"seed":true}"""));
        var (status, _, body) = await Answers.ReadAsync(run);
        Assert.Equal(201, status);
        var job = Guid.Parse(body);
        await app.Services.GetRequiredService<IJobRunner>().WaitForCompletionAsync("demo", job, CancellationToken.None).AsTask().WaitAsync(Answers.Limit);

        using var script = await admin.GetAsync(ReliabilityApp.Api + "/scripts/get/p/u/bot/hello_world");
        using var json = System.Text.Json.JsonDocument.Parse(await script.Content.ReadAsStringAsync(), default);
        return (job, json.RootElement.GetProperty("hash").GetString()!);
    }
}
