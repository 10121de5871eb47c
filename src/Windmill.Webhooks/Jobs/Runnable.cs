using Windmill.Webhooks.Flows;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Jobs;

/// <summary>
/// What a job runs: a script version, a flow version, or inline code (a flow's <c>rawscript</c> step, a preview).
/// Its <see cref="Kind"/> and <see cref="Language"/> choose the executor.
/// </summary>
/// <param name="Kind">The kind of runnable.</param>
/// <param name="Path">The runnable's path (for inline code, the path it is shown under).</param>
/// <param name="Hash">The exact version that runs.</param>
public sealed record Runnable(JobKind Kind, string Path, ScriptHash Hash)
{
    /// <summary>The runnable's language, such as <c>bun</c> or <c>csharp</c>.</summary>
    public string? Language { get; init; }

    /// <summary>
    /// The inline code of a <see cref="JobKind.FlowScript"/> or <see cref="JobKind.Preview"/> runnable (Windmill's <c>rawscript</c>), or
    /// the OpenFlow value a <see cref="JobKind.Flow"/> runs (Windmill's <c>raw_flow</c>).
    /// </summary>
    public string? RawCode { get; init; }

    /// <summary>Exactly <paramref name="version"/> of a script.</summary>
    public static Runnable Script(ScriptVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return new(JobKind.Script, version.Path, version.Hash) { Language = version.Language };
    }

    /// <summary>
    /// Exactly <paramref name="version"/> of a flow: its id as the hash, and its OpenFlow value as the raw flow the job runs
    /// (Windmill's <c>raw_flow</c>), so the job runs that definition even after the flow changes.
    /// </summary>
    public static Runnable Flow(FlowVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return new(JobKind.Flow, version.Path, new ScriptHash(version.Id)) { RawCode = version.Value.GetRawText() };
    }
}
