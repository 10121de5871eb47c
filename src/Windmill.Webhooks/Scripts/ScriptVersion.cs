using System.Text.Json;

namespace Windmill.Webhooks.Scripts;

/// <summary>
/// One immutable version of a script. Deploying at a path adds a version whose
/// <see cref="ParentHash"/> is the previous one, and archives that parent.
/// </summary>
public sealed record ScriptVersion
{
    /// <summary>The workspace that owns the script.</summary>
    public required string Workspace { get; init; }

    /// <summary>The version's identity; <c>/h/&lt;hash&gt;</c> runs exactly this version.</summary>
    public required ScriptHash Hash { get; init; }

    /// <summary>The script path, such as <c>u/bot/hello_world</c> or <c>f/team/etl</c>.</summary>
    public required string Path { get; init; }

    /// <summary>The version this one replaced, if any.</summary>
    public ScriptHash? ParentHash { get; init; }

    /// <summary>The language, in Windmill's vocabulary (<c>csharp</c> for handlers registered in code).</summary>
    public required string Language { get; init; }

    /// <summary>The script's source, or a description of the code-registered handler.</summary>
    public required string Content { get; init; }

    /// <summary>
    /// The code that runs, as an <see cref="IScriptCompiler"/> prepared it when the version was created (for TypeScript, the
    /// content with its types stripped); <see langword="null"/> for scripts registered in code.
    /// </summary>
    public string? CompiledCode { get; init; }

    /// <summary>A one-line summary.</summary>
    public string Summary { get; init; } = "";

    /// <summary>A longer description.</summary>
    public string Description { get; init; } = "";

    /// <summary>The JSON schema of the arguments.</summary>
    public JsonElement? Schema { get; init; }

    /// <summary>Who deployed this version.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>When this version was deployed.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Whether a newer version replaced this one. Archived versions still run by hash.</summary>
    public bool Archived { get; init; }

    /// <summary>
    /// The longest a job of this version may run (Windmill's script <c>timeout</c>); it can only shorten
    /// <see cref="WindmillWebhooksOptions.JobTimeout"/>. <see langword="null"/>: the instance's limit.
    /// </summary>
    public TimeSpan? Timeout { get; init; }
}
