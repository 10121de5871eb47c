using System.Text.Json;

namespace Windmill.Webhooks.Scripts;

/// <summary>
/// A script version to create, as Windmill's <c>NewScript</c> carries it (<c>POST scripts/create</c>). The rest of Windmill's
/// fields (tag, lock, kind, concurrency, caching, drafts…) mean nothing here and are not kept.
/// </summary>
public sealed record NewScript
{
    /// <summary>The path: <c>u/&lt;user&gt;/&lt;name&gt;</c> or <c>f/&lt;folder&gt;/&lt;name&gt;</c>.</summary>
    public required string Path { get; init; }

    /// <summary>
    /// The version this one replaces: the path's current head. <see langword="null"/> only when the path has no head.
    /// </summary>
    public ScriptHash? ParentHash { get; init; }

    /// <summary>A one-line summary.</summary>
    public string Summary { get; init; } = "";

    /// <summary>A longer description.</summary>
    public string Description { get; init; } = "";

    /// <summary>The source, checked and prepared by the <see cref="IScriptCompiler"/> of its <see cref="Language"/>.</summary>
    public required string Content { get; init; }

    /// <summary>The language, in Windmill's vocabulary (<c>bun</c>, <c>deno</c>, <c>nativets</c>, …).</summary>
    public required string Language { get; init; }

    /// <summary>The JSON schema of the arguments; <see langword="null"/> to keep the one the compiler read from <c>main</c>.</summary>
    public JsonElement? Schema { get; init; }

    /// <summary>The longest a job of this version may run (Windmill's <c>timeout</c>, in whole seconds there); it can only shorten the instance's limit.</summary>
    public TimeSpan? Timeout { get; init; }
}
