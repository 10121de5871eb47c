using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.OpenApi;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>
/// The sample's <c>/openapi/v1.json</c> (<c>AddOpenApi()</c> / <c>MapOpenApi()</c>): a valid OpenAPI document that describes
/// every run route with its answers, query options and credentials, and names and summarizes every Windmill route.
/// </summary>
public sealed class OpenApiTests : SampleAppTest
{
    private const string Text = "text/plain";
    private const string Json = "application/json";

    // Every run route: path, method, operation id, and its success answer.
    public static readonly TheoryData<string, string, string, string, string> RunRoutes = new()
    {
        { "/api/w/{workspace}/jobs/run/p/{path}", "post", "RunScriptByPath", "201", Text },
        { "/api/w/{workspace}/jobs/run/h/{hash}", "post", "RunScriptByHash", "201", Text },
        { "/api/w/{workspace}/jobs/run_wait_result/p/{path}", "post", "RunWaitResultScriptByPath", "200", Json },
        { "/api/w/{workspace}/jobs/run_wait_result/p/{path}", "get", "RunWaitResultScriptByPathGet", "200", Json },
        { "/api/w/{workspace}/jobs/run_wait_result/h/{hash}", "post", "RunWaitResultScriptByHash", "200", Json },
        { "/api/w/{workspace}/jobs/run_wait_result/h/{hash}", "get", "RunWaitResultScriptByHashGet", "200", Json },
        { "/api/w/{workspace}/jobs/run/f/{path}", "post", "RunFlowByPath", "201", Text },
        { "/api/w/{workspace}/jobs/run_wait_result/f/{path}", "post", "RunWaitResultFlowByPath", "200", Json },
        { "/api/w/{workspace}/jobs/run_wait_result/f/{path}", "get", "RunWaitResultFlowByPathGet", "200", Json },
    };

    [Fact]
    public async Task The_document_is_served_without_a_token_and_validates_as_OpenAPI()
    {
        var json = await FetchAsync();

        var (document, diagnostic) = OpenApiDocument.Parse(json, "json");

        Assert.Empty(diagnostic!.Errors);
        Assert.Empty(document!.Validate(ValidationRuleSet.GetDefaultRuleSet()));
    }

    [Theory]
    [MemberData(nameof(RunRoutes))]
    public async Task Each_run_route_is_described_with_its_answers_options_and_credentials(string path, string method, string name, string success,
        string successType)
    {
        using var document = JsonDocument.Parse(await FetchAsync());

        var operation = document.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method);
        var responses = operation.GetProperty("responses");
        var parameters = operation.GetProperty("parameters").EnumerateArray()
            .Select(p => $"{p.GetProperty("in").GetString()}:{p.GetProperty("name").GetString()}").ToList();
        var security = operation.GetProperty("security").EnumerateArray().Select(r => string.Join("+", r.EnumerateObject().Select(s => s.Name)));

        Assert.Equal(name, operation.GetProperty("operationId").GetString());
        Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()));
        Assert.Equal([successType], ContentTypes(responses, success));
        foreach (var refusal in new[] { "400", "401", "403", "404", "409", "413", "415", "429", "503" })
        {
            Assert.Contains(Text, ContentTypes(responses, refusal));
        }

        Assert.Equal(success == "200" ? [Json, Text] : [Text], ContentTypes(responses, "422"));
        Assert.Equal(success == "200", responses.TryGetProperty("500", out _)); // a synchronous wait's timeout
        Assert.Subset(parameters.ToHashSet(), new HashSet<string>
        {
            "query:job_id", "query:scheduled_for", "query:scheduled_in_secs", "query:tag", "query:queue_limit", "query:timeout", "query:raw",
            "query:wrap_body", "query:include_header", "query:include_query", "header:Idempotency-Key",
        });
        Assert.Equal(method == "get", parameters.Contains("query:payload"));
        Assert.Equal(method == "post", operation.TryGetProperty("requestBody", out _));
        Assert.Equal(["WindmillToken", "WindmillTokenQuery"], security);
    }

    [Fact]
    public async Task The_token_schemes_are_the_bearer_header_and_the_token_query_parameter()
    {
        using var document = JsonDocument.Parse(await FetchAsync());

        var schemes = document.RootElement.GetProperty("components").GetProperty("securitySchemes");

        Assert.Equal(("http", "bearer"), (schemes.GetProperty("WindmillToken").GetProperty("type").GetString(),
            schemes.GetProperty("WindmillToken").GetProperty("scheme").GetString()));
        Assert.Equal(("apiKey", "query", "token"), (schemes.GetProperty("WindmillTokenQuery").GetProperty("type").GetString(),
            schemes.GetProperty("WindmillTokenQuery").GetProperty("in").GetString(), schemes.GetProperty("WindmillTokenQuery").GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Every_windmill_route_has_a_unique_name_and_a_summary_and_the_dashboard_is_left_out()
    {
        using var document = JsonDocument.Parse(await FetchAsync());

        var paths = document.RootElement.GetProperty("paths").EnumerateObject().ToList();
        var operations = paths.SelectMany(path => path.Value.EnumerateObject().Select(op => op.Value)).ToList();
        var names = operations.Select(op => op.TryGetProperty("operationId", out var id) ? id.GetString() : null).ToList();

        Assert.All(paths, path => Assert.StartsWith("/api/", path.Name, StringComparison.Ordinal));
        Assert.Equal(55, operations.Count); // every route in the README table, HEAD and GET included
        Assert.All(names, name => Assert.False(string.IsNullOrEmpty(name)));
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(operations, op => Assert.False(string.IsNullOrWhiteSpace(op.GetProperty("summary").GetString())));
    }

    [Fact]
    public async Task Mapping_the_routes_twice_keeps_names_unique_and_the_document_valid()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddWindmillWebhooks().UseInMemoryStores();
        builder.Services.AddOpenApi();
        await using var app = builder.Build();
        app.MapWindmillWebhooks();
        app.MapWindmillWebhooks("/windmill");
        app.MapOpenApi();
        await app.StartAsync();
        using var client = app.GetTestClient();

        var (document, diagnostic) = OpenApiDocument.Parse(await client.GetStringAsync("/openapi/v1.json"), "json");
        var names = document!.Paths.SelectMany(path => path.Value.Operations!.Values).Select(op => op.OperationId).ToList();

        Assert.Empty(diagnostic!.Errors);
        Assert.Empty(document.Validate(ValidationRuleSet.GetDefaultRuleSet()));
        Assert.Equal(110, names.Count);
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal("RunScriptByPath2", document.Paths["/windmill/w/{workspace}/jobs/run/p/{path}"].Operations![HttpMethod.Post].OperationId);
    }

    private static List<string> ContentTypes(JsonElement responses, string status) =>
        responses.GetProperty(status).TryGetProperty("content", out var content) ? content.EnumerateObject().Select(c => c.Name).ToList() : [];

    private async Task<string> FetchAsync()
    {
        using var anonymous = App.CreateAnonymousClient();
        using var response = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal((HttpStatusCode.OK, "application/json;charset=utf-8"), (response.StatusCode, Wire.ContentType(response)));
        return await response.Content.ReadAsStringAsync();
    }
}
