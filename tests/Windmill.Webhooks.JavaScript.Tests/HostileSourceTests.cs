using System.Text;
using System.Text.Json;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.JavaScript.Tests;

/// <summary>Source written to break the compiler (deep nesting, exponential shapes, missing types) is refused cleanly.</summary>
public sealed class HostileSourceTests : IAsyncLifetime
{
    private const int Levels = 50_000;

    private JavaScriptHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await JavaScriptHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string, string> DeeplyNestedScripts() => new()
    {
        { "constructor types", $"export function main(x: {Repeat("new ", Levels)}A) {{}}" },
        { "function types", $"export function main(x: {Repeat("() => ", Levels)}A) {{}}" },
        { "conditional types", $"export function main(x: {Repeat("A extends B ? ", Levels)}C{Repeat(" : D", Levels)}) {{}}" },
        { "templates in templates", $"export function main() {{ return {Repeat("`${", Levels)}1{Repeat("}`", Levels)}; }}" },
        { "array types", $"export function main(x: string{Repeat("[]", Levels)}) {{}}" },
        { "parenthesized types", $"export function main(x: {Repeat("(", Levels)}string{Repeat(")", Levels)}) {{}}" },
    };

    [Theory]
    [MemberData(nameof(DeeplyNestedScripts))]
    public void Typescript_nested_fifty_thousand_levels_deep_is_refused_not_a_crash(string shape, string script)
    {
        var error = Assert.Throws<ScriptCompilationException>(() => _host.Compiler.Compile("bun", script));

        Assert.True(error.Message.StartsWith("The script is nested too deeply: the compiler follows at most 256 levels", StringComparison.Ordinal), shape + ": " + error.Message);
    }

    [Theory]
    [InlineData("javascript")]
    [InlineData("bun")]
    public void Javascript_nested_deeper_than_the_parser_can_follow_is_refused(string language)
    {
        var script = $"export function main() {{ return {Repeat("[", 100_000)}{Repeat("]", 100_000)}; }}";

        var error = Assert.Throws<ScriptCompilationException>(() => _host.Compiler.Compile(language, script));

        Assert.StartsWith("The script is nested too deeply", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("javascript", 300)]
    [InlineData("bun", 5_000)]
    public void Code_that_parses_but_nests_deeper_than_the_interpreter_allows_is_refused_at_create(string language, int depth)
    {
        var script = $"export function main() {{ return {Repeat("[", depth)}1{Repeat("]", depth)}; }}";

        var error = Assert.Throws<ScriptCompilationException>(() => _host.Compiler.Compile(language, script));

        Assert.Equal("The script cannot be prepared: Could not prepare script: Script nesting exceeds maximum depth of 256 levels.", error.Message);
    }

    [Fact]
    public void Types_nested_within_the_limit_still_compile()
    {
        var script = $"export function main(x: {Repeat("(", 100)}string{Repeat(")", 100)}[], f: {Repeat("() => ", 100)}void = null) {{}}";

        var schema = _host.Compiler.Compile("bun", script).Schema;

        Assert.Equal("""{"type":"array","items":{"type":"string"},"description":""}""", schema.GetProperty("properties").GetProperty("x").GetRawText());
    }

    [Fact]
    public void A_deeply_nested_default_is_converted_once_per_element()
    {
        // Checking each element and then converting it again doubled the work at each level: 2^40 here.
        var script = $"export function main(x = {Repeat("[", 40)}1{Repeat(", 2]", 40)}) {{}}";

        var schema = _host.Compiler.Compile("bun", script).Schema;

        var expected = new StringBuilder("1");
        for (var i = 0; i < 40; i++)
        {
            expected.Insert(0, '[').Append(",2]");
        }

        Assert.Equal(expected.ToString(), JsonSerializer.Serialize(schema.GetProperty("properties").GetProperty("x").GetProperty("default")));
    }

    [Fact]
    public void A_nested_object_default_keeps_its_last_duplicate_key_as_javascript_does()
    {
        var schema = _host.Compiler.Compile("bun", "export function main(x = { a: { b: [1, { c: 'd' }] }, a: 2 }) {}").Schema;

        Assert.Equal("""{"a":2}""", JsonSerializer.Serialize(schema.GetProperty("properties").GetProperty("x").GetProperty("default")));
    }

    [Theory]
    [InlineData("export function main(x: ) {}", 1, 25)]
    [InlineData("export function main(a: string,\n  b:\n) {}", 3, 1)]
    [InlineData("let x: = 1;\nexport function main() {}", 1, 8)]
    public void An_annotation_without_a_type_is_a_syntax_error_at_its_place(string script, int line, int column)
    {
        var error = Assert.Throws<ScriptCompilationException>(() => _host.Compiler.Compile("bun", script));

        Assert.Equal($"Syntax error: type expected (line {line}, column {column})", error.Message);
    }

    private static string Repeat(string text, int count) => new StringBuilder(text.Length * count).Insert(0, text, count).ToString();
}
