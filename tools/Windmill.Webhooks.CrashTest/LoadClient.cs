using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Windmill.Webhooks.CrashTest;

/// <summary>
/// One client: sends webhooks one after another while the sample is up, each chosen by its seeded
/// <see cref="Random"/>: async (<c>run/p</c>, <c>run/h</c>) and sync (<c>run_wait_result/p</c>, <c>/h</c>) calls of
/// <c>hello_world</c>, <c>echo</c> and <c>sleep</c>. Every call carries a unique <c>nonce</c> arg. With two processes up, calls
/// go to each in turn. With <paramref name="flows"/>, every call runs <see cref="CrashFlow"/> instead: async (<c>run/f</c>, whose
/// acknowledgement carries the result the job must end with) or sync (<c>run_wait_result/f</c>).
/// </summary>
internal sealed class LoadClient(int number, Random random, HttpClient http, string adminToken, ServingSample sample, Acknowledgements acknowledgements,
    bool flows = false)
{
    private const string Workspace = "api/w/demo/";
    private int _sequence;

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            SampleEndpoint endpoint;
            try
            {
                endpoint = await sample.WaitUntilUpAsync(number + _sequence, stop).ConfigureAwait(false); // the live processes in turn
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var call = flows ? NextFlowCall() : NextCall(endpoint.EchoHash);
            try
            {
                await SendAsync(endpoint.BaseAddress, call, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
            {
                acknowledgements.Interruption(); // refused or reset: the kill cut it short
            }
        }
    }

    private WebhookCall NextCall(string echoHash)
    {
        var nonce = string.Create(CultureInfo.InvariantCulture, $"c{number}-{++_sequence}");
        var sleepMs = random.Next(20, 400);
        return random.Next(6) switch
        {
            0 => WebhookCall.Async("jobs/run/p/u/bot/hello_world", new JsonObject { ["name"] = nonce, ["nonce"] = nonce }),
            1 => WebhookCall.Async($"jobs/run/h/{echoHash}", new JsonObject { ["nonce"] = nonce, ["n"] = _sequence, ["text"] = "Zoë <&>" }),
            2 => WebhookCall.Async("jobs/run/p/u/bot/sleep", new JsonObject { ["ms"] = sleepMs, ["nonce"] = nonce }),
            3 => WebhookCall.Sync("jobs/run_wait_result/p/u/bot/hello_world", new JsonObject { ["name"] = nonce, ["nonce"] = nonce },
                JsonValue.Create($"Hello, {nonce}!")),
            4 => WebhookCall.Sync($"jobs/run_wait_result/h/{echoHash}", new JsonObject { ["nonce"] = nonce, ["n"] = _sequence, ["list"] = new JsonArray(1, "two") },
                new JsonObject { ["nonce"] = nonce, ["n"] = _sequence, ["list"] = new JsonArray(1, "two") }),
            _ => WebhookCall.Sync("jobs/run_wait_result/p/u/bot/sleep", new JsonObject { ["ms"] = sleepMs / 2, ["nonce"] = nonce },
                JsonValue.Create(sleepMs / 2)),
        } with { Nonce = nonce };
    }

    private WebhookCall NextFlowCall()
    {
        var nonce = string.Create(CultureInfo.InvariantCulture, $"c{number}-{++_sequence}");
        var sleepMs = random.Next(20, 400);
        if (random.Next(2) == 0)
        {
            return WebhookCall.Async($"jobs/run/f/{CrashFlow.Path}", CrashFlow.Args(nonce, sleepMs)) with
            {
                Nonce = nonce,
                ExpectedJobResult = CrashFlow.Result(nonce, sleepMs),
            };
        }

        return WebhookCall.Sync($"jobs/run_wait_result/f/{CrashFlow.Path}", CrashFlow.Args(nonce, sleepMs / 2), CrashFlow.Result(nonce, sleepMs / 2))
            with { Nonce = nonce };
    }

    private async Task SendAsync(Uri baseAddress, WebhookCall call, CancellationToken stop)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, Workspace + call.Route))
        {
            Content = new StringContent(call.Args.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await http.SendAsync(request, stop).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(stop).ConfigureAwait(false);
        if (call.ExpectedResult is null && response.StatusCode == HttpStatusCode.Created && Guid.TryParse(body, out var jobId))
        {
            acknowledgements.AsyncJob(jobId, baseAddress, call.ExpectedJobResult);
        }
        else if (call.ExpectedResult is { } expected && response.StatusCode == HttpStatusCode.OK && JsonNode.DeepEquals(Parse(body), expected))
        {
            acknowledgements.SyncResult(call.Nonce, baseAddress);
        }
        else
        {
            acknowledgements.Unexpected($"{(int)response.StatusCode} from POST {call.Route} (nonce {call.Nonce}): {(body.Length <= 200 ? body : body[..200])}");
        }
    }

    private static JsonNode? Parse(string body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>A webhook to send: sync ones know the result they must answer with.</summary>
    private sealed record WebhookCall(string Route, JsonObject Args, JsonNode? ExpectedResult)
    {
        public string Nonce { get; init; } = "";

        /// <summary>For an async call whose result is known in advance (a flow): what its job must end with.</summary>
        public JsonNode? ExpectedJobResult { get; init; }

        public static WebhookCall Async(string route, JsonObject args) => new(route, args, null);

        public static WebhookCall Sync(string route, JsonObject args, JsonNode expected) => new(route, args, expected);
    }
}
