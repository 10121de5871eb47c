using System.Net;
using System.Text.Json;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

namespace Windmill.Webhooks.AspNetCore.Tests.Scripts;

/// <summary>Requests of the scripts routes that the stored-script tests share.</summary>
internal static class ScriptRequests
{
    public const string ScriptRoutes = StoredScriptHost.Api + "/scripts";

    /// <summary>Windmill's <c>NewScript</c> in <c>test-lang</c>, as its client sends it.</summary>
    public static string NewScript(string path, string content, string? parent = null, string language = TestLanguageCompiler.Language,
        string summary = "", string? extra = null) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["path"] = path,
            ["parent_hash"] = parent,
            ["summary"] = summary,
            ["description"] = "",
            ["content"] = content,
            ["language"] = language,
            ["kind"] = "script",
            ["tag"] = null,
        }).TrimEnd('}') + (extra is null ? "" : "," + extra) + "}";

    public static Task<HttpResponseMessage> PostCreateAsync(HttpClient client, string body) =>
        client.PostAsync(ScriptRoutes + "/create", Wire.JsonBody(body));

    /// <summary>Creates a version and returns its hash, asserting Windmill's <c>201 text/plain</c> answer.</summary>
    public static async Task<string> CreateAsync(HttpClient client, string body)
    {
        using var response = await PostCreateAsync(client, body);
        var hash = await response.Content.ReadAsStringAsync();
        Assert.Equal((HttpStatusCode.Created, Wire.Text), (response.StatusCode, Wire.ContentType(response)));
        Assert.Matches("^[0-9a-f]{16}$", hash);
        return hash;
    }

    /// <summary>Runs a script synchronously (<c>run_wait_result/p</c> or <c>/h</c>) and returns the answer's body, asserting a 200.</summary>
    public static async Task<string> RunAsync(HttpClient client, string pathOrHash)
    {
        using var response = await client.PostAsync($"{StoredScriptHost.Api}/jobs/run_wait_result/{pathOrHash}", Wire.JsonBody("{}"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal((HttpStatusCode.OK, Wire.Json), (response.StatusCode, Wire.ContentType(response)));
        return body;
    }

    public static async Task<string[]> HistoryAsync(HttpClient client, string path)
    {
        using var history = JsonDocument.Parse(await client.GetStringAsync($"{ScriptRoutes}/history/p/{path}"));
        return [.. history.RootElement.EnumerateArray().Select(v => v.GetProperty("script_hash").GetString()!)];
    }

    public static async Task<string[]> ListedPathsAsync(HttpClient client, string query = "")
    {
        using var listed = JsonDocument.Parse(await client.GetStringAsync($"{ScriptRoutes}/list{query}"));
        return [.. listed.RootElement.EnumerateArray().Select(v => v.GetProperty("path").GetString()!)];
    }
}
