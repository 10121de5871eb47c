using System.Text.Json;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// Windmill's <c>NewScript</c>, the body of <c>POST scripts/create</c>. Its other fields (tag, lock, kind, envs, concurrency,
/// caching, drafts, deployment message…) are read past: they mean nothing here.
/// </summary>
internal sealed record NewScriptJson(
    string? Path,
    string? ParentHash,
    string? Summary,
    string? Description,
    string? Content,
    string? Language,
    JsonElement? Schema,
    int? Timeout)
{
    /// <summary>The core's <see cref="NewScript"/>, or why it cannot be one: a missing or malformed field.</summary>
    public (NewScript? Script, string? Error) ToNewScript()
    {
        var parent = default(ScriptHash);
        var error = this switch
        {
            { Path: null } => "invalid json: missing field `path`",
            { Content: null } => "invalid json: missing field `content`",
            { Language: null or "" } => "invalid json: missing field `language`",
            { ParentHash: { } text } when !ScriptHash.TryParse(text, out parent) => $"invalid parent_hash: {text}: expected 16 hex characters",
            { Schema: { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) } } => "invalid schema: expected a JSON object",
            _ => null,
        };
        if (error is not null)
        {
            return (null, error);
        }

        return (new NewScript
        {
            Path = Path!,
            ParentHash = ParentHash is null ? null : parent,
            Summary = Summary ?? "",
            Description = Description ?? "",
            Content = Content!,
            Language = Language!,
            Schema = Schema is { ValueKind: JsonValueKind.Object } schema ? schema : null,
            Timeout = Timeout is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        }, null);
    }
}
