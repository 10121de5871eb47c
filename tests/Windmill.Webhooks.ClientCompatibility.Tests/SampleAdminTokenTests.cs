using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;

namespace Windmill.Webhooks.ClientCompatibility.Tests;

/// <summary>
/// The sample's own admin token, over real HTTP to the sample run as its user runs it, without
/// <c>Windmill__AdminToken</c>: minted and printed once on the first start, and replaced by
/// <c>--Sample:NewAdminToken=true</c> when the printed one is lost (README, quick start).
/// </summary>
public sealed partial class SampleAdminTokenTests : IDisposable
{
    private readonly string _database = SampleProcess.NewDatabasePath();
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        SampleProcess.DeleteDatabase(_database);
    }

    [Fact]
    public async Task NewAdminToken_prints_a_new_token_once_that_works_and_the_old_one_stops_working()
    {
        string first;
        await using (var sample = await SampleProcess.StartAsync(_database, adminToken: null))
        {
            first = PrintedToken(sample);
            await AssertRunsAsync(sample, first);
        }

        // A plain restart prints no token and keeps the first one.
        await using (var sample = await SampleProcess.StartAsync(_database, adminToken: null))
        {
            Assert.DoesNotMatch(PrintedLine(), sample.Output);
            Assert.Contains("Start once with --Sample:NewAdminToken=true for a new one", sample.Output, StringComparison.Ordinal);
            await AssertRunsAsync(sample, first);
        }

        string second;
        await using (var sample = await SampleProcess.StartAsync(_database, adminToken: null, "--Sample:NewAdminToken=true"))
        {
            second = PrintedToken(sample);
            Assert.NotEqual(first, second);
            await AssertRunsAsync(sample, second);
            await AssertRefusedAsync(sample, first);
        }

        // The switch is for one start: the next one keeps the new token, prints nothing, and the old one stays dead.
        await using (var sample = await SampleProcess.StartAsync(_database, adminToken: null))
        {
            Assert.DoesNotMatch(PrintedLine(), sample.Output);
            await AssertRunsAsync(sample, second);
            await AssertRefusedAsync(sample, first);
        }
    }

    private static string PrintedToken(SampleProcess sample)
    {
        var printed = PrintedLine().Matches(sample.Output);
        Assert.True(printed.Count == 1, $"expected the admin token printed once, got {printed.Count} times:\n{sample.Output}");
        return printed[0].Groups["token"].Value;
    }

    private async Task AssertRunsAsync(SampleProcess sample, string token)
    {
        using var response = await RunAsync(sample, token);

        Assert.Equal((HttpStatusCode.OK, "application/json", "\"Hello, world!\""),
            (response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsStringAsync()));
    }

    private async Task AssertRefusedAsync(SampleProcess sample, string token)
    {
        using var response = await RunAsync(sample, token);

        Assert.Equal((HttpStatusCode.Unauthorized, "text/plain; charset=utf-8", "Not authorized: Unauthorized"),
            (response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsStringAsync()));
    }

    private async Task<HttpResponseMessage> RunAsync(SampleProcess sample, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{sample.Origin}/api/w/demo/jobs/run_wait_result/p/u/bot/hello_world")
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _http.SendAsync(request);
    }

    [GeneratedRegex(@"Admin token \(shown once; store it now\): (?<token>[A-Za-z0-9]{32})")]
    private static partial Regex PrintedLine();
}
