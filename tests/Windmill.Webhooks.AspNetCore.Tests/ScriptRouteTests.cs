using System.Net;
using System.Text.Json;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>The script read routes (docs/wire-format.md §5): Windmill's <c>Script</c> JSON by path and by hash.</summary>
public sealed class ScriptRouteTests
{
    private const string Scripts = SampleApp.Api + "/scripts";

    [Fact]
    public async Task Get_by_path_returns_the_script_json()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();

        using var response = await client.GetAsync(Scripts + "/get/p/u/bot/hello_world");

        Assert.Equal((HttpStatusCode.OK, Wire.Json), (response.StatusCode, Wire.ContentType(response)));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var script = json.RootElement;
        Assert.Matches("^[0-9a-f]{16}$", script.GetProperty("hash").GetString());
        Assert.Equal("demo", script.GetProperty("workspace_id").GetString());
        Assert.Equal("u/bot/hello_world", script.GetProperty("path").GetString());
        Assert.Equal("csharp", script.GetProperty("language").GetString());
        Assert.False(script.GetProperty("archived").GetBoolean());
        Assert.False(script.GetProperty("deleted").GetBoolean());
        Assert.Equal("script", script.GetProperty("kind").GetString());
        Assert.Equal("Greets someone", script.GetProperty("summary").GetString());
        Assert.Equal("[]", script.GetProperty("parent_hashes").GetRawText());
        Assert.Equal("2025-01-31T10:00:00.000000Z", script.GetProperty("created_at").GetString());
        var name = script.GetProperty("schema").GetProperty("properties").GetProperty("name");
        Assert.Equal(("string", "world"), (name.GetProperty("type").GetString(), name.GetProperty("default").GetString()));
        Assert.Equal("[]", script.GetProperty("schema").GetProperty("required").GetRawText());
    }

    [Fact]
    public async Task Schema_marks_a_parameter_without_default_as_required()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();

        using var response = await client.GetAsync(Scripts + "/get/p/u/bot/fail");

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var schema = json.RootElement.GetProperty("schema");
        Assert.Equal(("""["message"]""", "string"),
            (schema.GetProperty("required").GetRawText(), schema.GetProperty("properties").GetProperty("message").GetProperty("type").GetString()));
    }

    [Fact]
    public async Task Get_by_hash_returns_the_same_script_json_as_by_path()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();
        using var byPath = await client.GetAsync(Scripts + "/get/p/u/bot/echo");
        var byPathBody = await byPath.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(byPathBody);
        var hash = json.RootElement.GetProperty("hash").GetString();

        using var byHash = await client.GetAsync($"{Scripts}/get/h/{hash}");

        await Wire.AssertAsync(byHash, HttpStatusCode.OK, Wire.Json, byPathBody);
    }

    [Fact]
    public async Task Every_sample_script_has_its_own_hash()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();

        string[] hashes =
        [
            await WebhookRouteTests.GetHashAsync(client, "u/bot/hello_world"),
            await WebhookRouteTests.GetHashAsync(client, "u/bot/echo"),
            await WebhookRouteTests.GetHashAsync(client, "u/bot/fail"),
            await WebhookRouteTests.GetHashAsync(client, "u/bot/sleep"),
        ];

        Assert.Equal(4, hashes.Distinct().Count());
    }

    [Theory]
    [InlineData("/get/p/u/bot/nope", HttpStatusCode.NotFound, "Not found: Script not found at name u/bot/nope")]
    [InlineData("/get/h/0123456789abcdef", HttpStatusCode.NotFound, "Not found: Script not found at hash 0123456789abcdef")]
    [InlineData("/get/h/xyz", HttpStatusCode.BadRequest, "Bad request: invalid script hash: xyz: expected 16 hex characters")]
    [InlineData("/get/p/bot/hello_world", HttpStatusCode.BadRequest, "Bad request: invalid script path: bot/hello_world")]
    public async Task Unknown_or_malformed_scripts_get_windmill_errors(string route, HttpStatusCode status, string body)
    {
        await using var app = new SampleApp();
        using var client = app.CreateAdminClient();

        using var response = await client.GetAsync(Scripts + route);

        await Wire.AssertAsync(response, status, Wire.Text, body);
    }

    [Fact]
    public async Task Scripts_need_a_token()
    {
        await using var app = new SampleApp();
        using var client = app.CreateAnonymousClient();

        using var response = await client.GetAsync(Scripts + "/get/p/u/bot/hello_world");

        await Wire.AssertUnauthorizedAsync(response);
    }
}
