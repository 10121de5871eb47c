namespace Windmill.Webhooks.JavaScript.Compilation;

/// <summary>Windmill's languages that this package runs: <c>bun</c>, <c>deno</c> and <c>nativets</c> are TypeScript, <c>javascript</c> is not.</summary>
internal static class JavaScriptLanguages
{
    public static bool IsTypeScript(string? language) => language is "bun" or "deno" or "nativets";

    public static bool IsSupported(string? language) => IsTypeScript(language) || language == "javascript";
}
