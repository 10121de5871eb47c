using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>Source-generated serialization of the wire types, in Windmill's snake_case.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(WindmillTimestampConverter)])]
[JsonSerializable(typeof(JobJson))]
[JsonSerializable(typeof(ResultMaybeJson))]
[JsonSerializable(typeof(CompletedJobTimingJson))]
[JsonSerializable(typeof(JobUpdateJson))]
[JsonSerializable(typeof(ScriptJson))]
[JsonSerializable(typeof(NewScriptJson))]
[JsonSerializable(typeof(CancelRequestJson))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(List<TokenJson>))]
[JsonSerializable(typeof(NewTokenJson))]
[JsonSerializable(typeof(UpdateScopesJson))]
[JsonSerializable(typeof(UpdateLabelJson))]
[JsonSerializable(typeof(AuditJson))]
[JsonSerializable(typeof(List<AuditJson>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonObject))]
[JsonSerializable(typeof(List<ListableScriptJson>))]
[JsonSerializable(typeof(List<ScriptHistoryJson>))]
[JsonSerializable(typeof(FlowJson))]
[JsonSerializable(typeof(List<FlowJson>))]
[JsonSerializable(typeof(List<FlowHistoryJson>))]
[JsonSerializable(typeof(NewFlowJson))]
[JsonSerializable(typeof(ArchiveFlowJson))]
[JsonSerializable(typeof(UserJson))]
[JsonSerializable(typeof(Dashboard.SessionRequestJson))]
internal sealed partial class WindmillJsonContext : JsonSerializerContext
{
    /// <summary>The context the routes write with: like Windmill, it leaves quotes and non-ASCII text unescaped.</summary>
    public static WindmillJsonContext Wire { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new WindmillTimestampConverter() },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}

/// <summary>The body of a cancel request.</summary>
internal sealed record CancelRequestJson(string? Reason);
