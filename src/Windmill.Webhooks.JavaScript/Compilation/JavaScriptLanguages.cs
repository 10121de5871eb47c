namespace Windmill.Webhooks.JavaScript.Compilation;

/// <summary>
/// The languages that this package runs: Windmill's <c>bun</c>, <c>deno</c> and <c>nativets</c> are TypeScript; <c>javascript</c>
/// (plain JavaScript) is this library's extension, since Windmill's <c>ScriptLang</c> has no such language.
/// </summary>
internal static class JavaScriptLanguages
{
    public static bool IsTypeScript(string? language) => language is "bun" or "deno" or "nativets";

    public static bool IsSupported(string? language) => IsTypeScript(language) || language == "javascript";
}
