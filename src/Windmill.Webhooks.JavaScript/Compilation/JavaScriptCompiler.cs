using Acornima;
using Acornima.Ast;
using Jint;
using Jint.Runtime;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.JavaScript.Compilation;

/// <summary>
/// Checks and prepares TypeScript and JavaScript scripts once per version: strips the types (see
/// <see cref="TypeScriptStripper"/>), parses the result as an ES module, refuses imports, requires an exported
/// <c>main</c>, and derives the JSON schema of <c>main</c>'s parameters.
/// </summary>
internal sealed class JavaScriptCompiler : IScriptCompiler
{
    /// <summary>
    /// How deep the compiler follows nesting it handles by recursion (types, templates inside templates): far beyond any
    /// real script, and far below what would overflow the stack on content of the largest allowed size.
    /// </summary>
    internal const int MaxNesting = 256;

    internal const string TooDeeplyNested = "The script is nested too deeply: the compiler follows at most 256 levels";

    private static readonly ParserOptions Parsing = new() { EcmaVersion = EcmaVersion.Latest };

    public bool Compiles(string language) => JavaScriptLanguages.IsSupported(language);

    public ScriptCompilation Compile(string language, string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!Compiles(language))
        {
            throw new ScriptCompilationException($"Language '{language}' is not JavaScript or TypeScript.");
        }

        var stripped = JavaScriptLanguages.IsTypeScript(language)
            ? TypeScriptStripper.Strip(content)
            : new StrippedScript(content, new Dictionary<int, ParameterAnnotation>());
        var module = Parse(stripped.Code);
        RefuseImports(module);
        var main = FindMain(module) ?? throw new ScriptCompilationException("The script exports no 'main' function: write 'export async function main(...) { ... }'.");
        var schema = ParameterSchema.Build(main, stripped.Parameters);

        // Jint refuses at preparation some code that parses (nesting deeper than its own limit of 256): find out now,
        // so that the version is refused rather than failing each of its jobs.
        Prepare(stripped.Code);
        return new ScriptCompilation(stripped.Code, schema);
    }

    /// <summary>Prepares the module for Jint; throws <see cref="ScriptCompilationException"/> when Jint cannot.</summary>
    internal static Prepared<Module> Prepare(string code)
    {
        try
        {
            return Engine.PrepareModule(code, "main.js");
        }
        catch (Exception e) when (e is ScriptPreparationException or ParseErrorException or InsufficientExecutionStackException)
        {
            throw new ScriptCompilationException("The script cannot be prepared: " + e.Message, e);
        }
    }

    private static Module Parse(string code)
    {
        try
        {
            return new Parser(Parsing).ParseModule(code, "main.ts");
        }
        catch (ParseErrorException e)
        {
            // Acornima counts columns from 0; Windmill and editors count them from 1.
            throw new ScriptCompilationException("Syntax error: " + e.Description, e.LineNumber, e.Column + 1);
        }
        catch (InsufficientExecutionStackException)
        {
            // Acornima's own stack guard, on code nested deeper than the stack allows (such as thousands of brackets).
            throw new ScriptCompilationException(TooDeeplyNested);
        }
    }

    private static void RefuseImports(Module module)
    {
        foreach (var node in module.DescendantNodesAndSelf())
        {
            var source = node switch
            {
                ImportDeclaration import => import.Source.Value,
                ExportNamedDeclaration { Source: { } from } => from.Value,
                ExportAllDeclaration export => export.Source.Value,
                ImportExpression => "a dynamic import()",
                _ => null,
            };
            if (source is not null)
            {
                var place = node.Location.Start;
                throw new ScriptCompilationException(
                    $"Imports are not supported: '{source}' cannot be imported; a script is one self-contained module (only 'import type' is allowed)",
                    place.Line, place.Column + 1);
            }
        }
    }

    internal static IFunction? FindMain(Module module)
    {
        foreach (var statement in module.Body)
        {
            if (statement is not ExportNamedDeclaration { Declaration: { } declaration })
            {
                continue;
            }

            switch (declaration)
            {
                case FunctionDeclaration { Id.Name: "main" } function:
                    return function;
                case VariableDeclaration variables:
                    foreach (var declarator in variables.Declarations)
                    {
                        if (declarator is { Id: Identifier { Name: "main" }, Init: IFunction function })
                        {
                            return function;
                        }
                    }

                    break;
            }
        }

        return null;
    }

    /// <summary>The line and column of an offset, both 1-based.</summary>
    internal static (int Line, int Column) Place(string text, int offset)
    {
        var before = text.AsSpan(0, Math.Min(offset, text.Length));
        var line = before.Count('\n') + 1;
        var column = offset - (before.LastIndexOf('\n') + 1) + 1;
        return (line, column);
    }
}
