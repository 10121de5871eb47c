using System.Text.Json;

namespace Windmill.Webhooks.Scripts;

/// <summary>What <see cref="IScriptCompiler.Compile"/> made of a script's source.</summary>
/// <param name="Code">The code that runs, stored with the version (for TypeScript, the source with its types stripped).</param>
/// <param name="Schema">The JSON schema of <c>main</c>'s parameters, used when the version was created without one.</param>
public sealed record ScriptCompilation(string Code, JsonElement Schema);
