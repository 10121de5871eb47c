using System.Net;
using System.Text.Json;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

namespace Windmill.Webhooks.AspNetCore.Tests.Flows;

/// <summary>Requests of the flows routes that the flow tests share.</summary>
internal static class FlowRequests
{
    public const string Flows = StoredScriptHost.Api + "/flows";

    /// <summary>
    /// A small OpenFlow value whose one step, id <paramref name="step"/>, answers the flow's args, or throws a <c>FlowError</c>
    /// with the text of an arg <c>fail</c>.
    /// </summary>
    public static string Value(string step = "a") =>
        """{"modules":[{"id":""" + "\"" + step + "\"" + ""","value":{"type":"rawscript","language":"javascript","content":"export function main(args) { if (args.fail) { const e = new Error(args.fail); e.name = 'FlowError'; throw e } return args }","input_transforms":{"args":{"type":"javascript","expr":"flow_input"}}}}]}""";

    /// <summary>Windmill's <c>OpenFlowWPath</c>, as its client sends it.</summary>
    public static string NewFlow(string path, string? value = null, string summary = "A flow", string? extra = null) =>
        $$"""{"path":"{{path}}","summary":"{{summary}}","description":"","value":{{value ?? Value()}},"schema":""" + Schema + (extra is null ? "" : "," + extra) + "}";

    /// <summary>The inputs' schema that <see cref="NewFlow"/> sends.</summary>
    public const string Schema = """{"type":"object","properties":{"x":{"type":"integer"}}}""";

    public static Task<HttpResponseMessage> PostCreateAsync(HttpClient client, string body) =>
        client.PostAsync(FlowRequests.Flows + "/create", Wire.JsonBody(body));

    /// <summary>Creates a flow, asserting Windmill's <c>201 text/plain</c> answer with its path.</summary>
    public static async Task CreateAsync(HttpClient client, string path, string? value = null)
    {
        using var response = await PostCreateAsync(client, NewFlow(path, value));
        await Wire.AssertAsync(response, HttpStatusCode.Created, Wire.Text, path);
    }

    public static async Task<JsonElement> GetAsync(HttpClient client, string path)
    {
        using var flow = JsonDocument.Parse(await client.GetStringAsync($"{FlowRequests.Flows}/get/{path}"));
        return flow.RootElement.Clone();
    }

    public static async Task<string[]> ListedPathsAsync(HttpClient client, string query = "")
    {
        using var listed = JsonDocument.Parse(await client.GetStringAsync($"{FlowRequests.Flows}/list{query}"));
        return [.. listed.RootElement.EnumerateArray().Select(v => v.GetProperty("path").GetString()!)];
    }

    public static string Describe(Windmill.Webhooks.Audit.AuditEntry entry) =>
        $"{entry.Operation} {entry.ActionKind} {entry.Username} {entry.Resource} {string.Join(',', entry.Parameters!.Select(p => $"{p.Key}={p.Value}"))}";
}
