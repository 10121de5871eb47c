using System.Collections;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Testing;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>
/// A <c>?token=</c> authenticates, yet never reaches a log line, a log's structured state or scope, or a
/// job's args (docs/design.md, example 6), even with every category of the host logging at Trace.
/// </summary>
public sealed class QueryTokenRedactionTests
{
    private const string WrongToken = "WrongTokenWrongTokenWrongToken77";

    [Fact]
    public async Task Query_tokens_authenticate_but_never_reach_the_logs()
    {
        var logs = new FakeLogCollector();
        await using var app = new SampleApp(logs);
        using var client = app.CreateAnonymousClient();
        var token = "token=" + SampleApp.AdminToken;
        var payload = Uri.EscapeDataString(Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"name":"Q"}""")));

        using var sync = await client.PostAsync($"{SampleApp.Api}/jobs/run_wait_result/p/u/bot/hello_world?{token}", Wire.JsonBody("{}"));
        using var syncGet = await client.GetAsync($"{SampleApp.Api}/jobs/run_wait_result/p/u/bot/hello_world?payload={payload}&{token}&x=1");
        using var async = await client.PostAsync($"{SampleApp.Api}/jobs/run/p/u/bot/fail?x=1&{token}", Wire.JsonBody("""{"message":"logged failure"}"""));
        var id = await Wire.AssertCreatedJobAsync(async);
        await app.WaitForCompletionAsync(id);
        using var job = await client.GetAsync($"{SampleApp.Api}/jobs_u/get/{id}?{token}");
        using var script = await client.GetAsync($"{SampleApp.Api}/scripts/get/p/u/bot/echo?{token}");
        using var rejected = await client.PostAsync($"{SampleApp.Api}/jobs/run/p/u/bot/echo?token={WrongToken}", Wire.JsonBody("{}"));

        await Wire.AssertAsync(sync, HttpStatusCode.OK, Wire.Json, "\"Hello, world!\"");
        await Wire.AssertAsync(syncGet, HttpStatusCode.OK, Wire.Json, "\"Hello, Q!\"");
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (job.StatusCode, script.StatusCode));
        await Wire.AssertUnauthorizedAsync(rejected);

        var records = logs.GetSnapshot();
        // The capture is real: the hosting layer's own Trace/Information lines about these requests are there.
        Assert.Contains(records, r => (r.Category ?? "").StartsWith("Microsoft.AspNetCore.Hosting", StringComparison.Ordinal)
            && (r.Message ?? "").Contains("/api/w/demo/jobs/run_wait_result/p/u/bot/hello_world", StringComparison.Ordinal));
        Assert.Contains(records, r => (r.Category ?? "").StartsWith("Microsoft.AspNetCore.Routing", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Exception?.Message == "logged failure");
        foreach (var record in records)
        {
            var text = Describe(record);
            Assert.DoesNotContain(SampleApp.AdminToken, text, StringComparison.Ordinal);
            Assert.DoesNotContain(WrongToken, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_query_token_never_becomes_a_job_arg_even_when_include_query_names_it()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAnonymousClient();

        using var response = await client.PostAsync(
            $"{SampleApp.Api}/jobs/run/p/u/bot/echo?include_query=token,source&source=ci&token={SampleApp.AdminToken}", Wire.JsonBody("""{"a":1}"""));

        var job = await app.WaitForCompletionAsync(await Wire.AssertCreatedJobAsync(response));
        Assert.Equal(("""{"a":1,"source":"ci"}""", """{"a":1,"source":"ci"}"""), (job.Args.GetRawText(), job.Result?.GetRawText()));
    }

    [Fact]
    public async Task A_query_token_spelled_in_another_case_is_scrubbed_too()
    {
        var logs = new FakeLogCollector();
        await using var app = new SampleApp(logs);
        using var client = app.CreateAnonymousClient();

        using var response = await client.PostAsync(
            $"{SampleApp.Api}/jobs/run_wait_result/p/u/bot/echo?include_query=Token,TOKEN&Token={SampleApp.AdminToken}", Wire.JsonBody("{}"));

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, "{}");
        Assert.Contains(logs.GetSnapshot(), r => (r.Message ?? "").Contains("/u/bot/echo?include_query=Token,TOKEN", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.GetSnapshot(), r => Describe(r).Contains(SampleApp.AdminToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Query_parameters_other_than_the_token_still_reach_the_route()
    {
        // The token is cut out of the query string; the rest must stay intact around it.
        await using var app = new SampleApp();
        using var client = app.CreateAnonymousClient();

        using var response = await client.PostAsync(
            $"{SampleApp.Api}/jobs/run_wait_result/p/u/bot/echo?include_query=a,b&a=1&token={SampleApp.AdminToken}&b=x%26y", Wire.JsonBody("{}"));

        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, """{"a":"1","b":"x&y"}""");
    }

    private static string Describe(FakeLogRecord record)
    {
        var text = new StringBuilder()
            .AppendLine(record.Category)
            .AppendLine(record.Message)
            .AppendLine(record.Exception?.ToString());
        foreach (var (key, value) in record.StructuredState ?? [])
        {
            text.Append(key).Append('=').AppendLine(value);
        }

        foreach (var scope in record.Scopes)
        {
            text.AppendLine(scope?.ToString());
            if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (key, value) in pairs)
                {
                    text.Append(key).Append('=').AppendLine(Render(value));
                }
            }
        }

        return text.ToString();
    }

    private static string? Render(object? value) => value switch
    {
        null => null,
        string s => s,
        IEnumerable items => JsonSerializer.Serialize(items.Cast<object?>().Select(i => i?.ToString())),
        _ => value.ToString(),
    };
}
