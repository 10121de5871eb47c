using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

namespace Windmill.Webhooks.AspNetCore.Tests.Flows;

/// <summary>Flows registered in code, with the builder or from an OpenFlow JSON file: deployed at start, run like stored flows.</summary>
public sealed class CodeFlowTests : IAsyncDisposable
{
    private const string Token = "code-flow-admin-token-0000000001";
    private readonly TempDatabase _database = new();
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"flow-{Guid.NewGuid():N}.json");
    private WebApplication? _app;

    [Fact]
    public async Task A_flow_built_in_csharp_calls_a_csharp_script_in_a_loop_and_inline_code()
    {
        using var client = await StartAsync(b => b.AddFlow("f/code/sum", flow => flow
            .Summary("Adds each item to a base")
            .ForLoop("each", "flow_input.items", body => body
                .Script("add", "u/code/add", inputs => inputs.Expression("a", "flow_input.iter.value").Static("b", 100)), parallelism: 2)
            .RawScript("total", "bun", "export function main(xs: number[]) { return xs.reduce((a, b) => a + b, 0) }",
                inputs => inputs.Expression("xs", "previous_result"))));

        using var run = await client.PostAsync("/api/w/demo/jobs/run_wait_result/f/f/code/sum", Wire.JsonBody("""{"items": [1, 2, 3]}"""));
        using var get = await client.GetAsync("/api/w/demo/flows/get/f/code/sum");

        await Wire.AssertAsync(run, HttpStatusCode.OK, Wire.Json, "306");
        var flow = JsonDocument.Parse(await get.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(("Adds each item to a base", "system"), (flow.GetProperty("summary").GetString(), flow.GetProperty("edited_by").GetString()));
    }

    [Fact]
    public async Task A_flow_from_an_openflow_file_is_deployed_once_and_again_when_the_file_changes()
    {
        await File.WriteAllTextAsync(_file, """
            {"summary": "From a file", "value": {"modules": [{"id": "a", "value": {"type": "script", "path": "u/code/add",
              "input_transforms": {"a": {"type": "static", "value": 1}, "b": {"type": "static", "value": 2}}}}]}, "schema": {"type": "object"}}
            """);
        using (var client = await StartAsync(b => b.AddFlowFromFile("f/code/file", _file)))
        {
            using var run = await client.PostAsync("/api/w/demo/jobs/run_wait_result/f/f/code/file", Wire.JsonBody("{}"));
            await Wire.AssertAsync(run, HttpStatusCode.OK, Wire.Json, "3");
        }

        await StopAsync();
        using (var client = await StartAsync(b => b.AddFlowFromFile("f/code/file", _file)))
        {
            Assert.Equal(1, (await HistoryAsync(client)).GetArrayLength());
        }

        await StopAsync();
        await File.WriteAllTextAsync(_file, (await File.ReadAllTextAsync(_file)).Replace("\"value\": 2", "\"value\": 40", StringComparison.Ordinal));
        using (var client = await StartAsync(b => b.AddFlowFromFile("f/code/file", _file)))
        {
            using var run = await client.PostAsync("/api/w/demo/jobs/run_wait_result/f/f/code/file", Wire.JsonBody("{}"));
            await Wire.AssertAsync(run, HttpStatusCode.OK, Wire.Json, "41");
            Assert.Equal(2, (await HistoryAsync(client)).GetArrayLength());
        }
    }

    [Fact]
    public async Task A_flow_in_code_that_calls_a_missing_script_stops_the_host_at_start_naming_the_flow()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            StartAsync(b => b.AddFlow("f/code/broken", flow => flow.Script("call", "u/code/missing"))));

        Assert.Equal("The flow f/code/broken registered in code is not valid: step `call` (modules[0]): script u/code/missing not found", error.Message);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        File.Delete(_file);
        _database.Dispose();
    }

    private async Task<HttpClient> StartAsync(Action<WindmillWebhooksBuilder> flows)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        var windmill = builder.Services
            .AddWindmillWebhooks(options => options.AdminToken = Token)
            .UseSqlite(_database.ConnectionString)
            .AddJavaScript()
            .AddScript("u/code/add", (int a, int b) => a + b);
        flows(windmill);
        _app = builder.Build();
        _app.MapWindmillWebhooks();
        await _app.StartAsync();
        var client = _app.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        return client;
    }

    private async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }

    private static async Task<JsonElement> HistoryAsync(HttpClient client) =>
        JsonDocument.Parse(await client.GetStringAsync("/api/w/demo/flows/history/p/f/code/file")).RootElement.Clone();
}
