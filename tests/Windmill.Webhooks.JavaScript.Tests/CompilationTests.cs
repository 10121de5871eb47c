using System.Text.Json;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.JavaScript.Tests;

/// <summary>What the compiler refuses at create time, and the schema it derives from main.</summary>
public sealed class CompilationTests : IAsyncLifetime
{
    private JavaScriptHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await JavaScriptHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("bun", "import * as wmill from \"windmill-client\";\nexport async function main() {}", "windmill-client", 1, 1)]
    [InlineData("deno", "import lodash from 'npm:lodash@4';\nexport function main() {}", "npm:lodash@4", 1, 1)]
    [InlineData("nativets", "// helper\nimport { get } from \"axios\";\nexport function main() {}", "axios", 2, 1)]
    [InlineData("javascript", "export function main() {}\nexport * from './other.js';", "./other.js", 2, 1)]
    [InlineData("bun", "export { a } from \"./a\";\nexport function main() {}", "./a", 1, 1)]
    [InlineData("bun", "export async function main() {\n  const m = await import('fs');\n}", "a dynamic import()", 2, 19)]
    [InlineData("bun", "import { type A, b } from \"pkg\";\nexport function main() {}", "pkg", 1, 1)]
    public void Imports_are_refused_naming_the_import(string language, string script, string named, int line, int column)
    {
        var error = Assert.Throws<ScriptCompilationException>(() => _host.Compiler.Compile(language, script));

        Assert.Contains($"'{named}' cannot be imported", error.Message, StringComparison.Ordinal);
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    [Theory]
    [InlineData("bun", "export function main(a: string) {\n  return a +;\n}", 2, 13)]
    [InlineData("javascript", "export function main() {\n\n  let x = ;\n}", 3, 11)]
    [InlineData("deno", "interface A { x: number }\nexport function main(): A {\n  return { x: 1 \n}", 4, 2)]
    public void Syntax_errors_are_refused_with_line_and_column(string language, string script, int line, int column)
    {
        var error = Assert.Throws<ScriptCompilationException>(() => _host.Compiler.Compile(language, script));

        Assert.StartsWith("Syntax error: ", error.Message, StringComparison.Ordinal);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.EndsWith($"(line {line}, column {column})", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("function main() { return 1; }")]
    [InlineData("export function handler() {}")]
    [InlineData("export const main = 42;")]
    [InlineData("")]
    public void A_script_without_an_exported_main_is_refused(string script)
    {
        var error = Assert.Throws<ScriptCompilationException>(() => _host.Compiler.Compile("bun", script));

        Assert.Equal("The script exports no 'main' function: write 'export async function main(...) { ... }'.", error.Message);
    }

    [Theory]
    [InlineData("python3")]
    [InlineData("csharp")]
    public void Other_languages_are_not_compiled(string language) => Assert.False(_host.Compiler.Compiles(language));

    [Fact]
    public void Main_may_be_an_exported_arrow_function()
    {
        var compilation = _host.Compiler.Compile("bun", "export const main = async (x: number) => x;");

        Assert.Equal("""{"x":{"type":"number","description":""}}""", compilation.Schema.GetProperty("properties").GetRawText());
    }

    [Fact]
    public void The_schema_of_main_has_each_parameter_with_its_type_default_and_requiredness()
    {
        const string script = """
            type Color = "red" | "green";
            export async function main(
              name: string,
              count: number = 3,
              enabled = true,
              tags: string[] = ["a"],
              matrix: Array<number[]>,
              when: Date,
              color: Color,
              mode: "fast" | "slow" = "fast",
              options: { depth: number } = { depth: 1 },
              record: Record<string, string>,
              maybe?: string,
              nullable: string | null,
              untyped,
              big: bigint,
              anything: any = null,
              ...rest: string[]
            ) {}
            """;

        var schema = _host.Compiler.Compile("bun", script).Schema;

        var expected = """
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{
            "name":{"type":"string","description":""},
            "count":{"type":"number","description":"","default":3},
            "enabled":{"description":"","default":true},
            "tags":{"type":"array","items":{"type":"string"},"description":"","default":["a"]},
            "matrix":{"type":"array","items":{"type":"array","items":{"type":"number"}},"description":""},
            "when":{"type":"string","format":"date-time","description":""},
            "color":{"description":""},
            "mode":{"type":"string","enum":["fast","slow"],"description":"","default":"fast"},
            "options":{"type":"object","description":"","default":{"depth":1}},
            "record":{"type":"object","description":""},
            "maybe":{"type":"string","description":""},
            "nullable":{"type":"string","description":""},
            "untyped":{"description":""},
            "big":{"type":"integer","description":""},
            "anything":{"description":""}},
            "required":["name","matrix","when","color","record","nullable","untyped","big"]}
            """.Replace("\n", "", StringComparison.Ordinal);
        Assert.Equal(expected, JsonSerializer.Serialize(schema));
    }
}
