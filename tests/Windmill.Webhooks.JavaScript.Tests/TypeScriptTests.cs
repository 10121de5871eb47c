namespace Windmill.Webhooks.JavaScript.Tests;

/// <summary>Every TypeScript construct that must run: its types are stripped and what is left runs.</summary>
public sealed class TypeScriptTests : IAsyncLifetime
{
    private JavaScriptHost _host = null!;

    public static TheoryData<string, string, string> Constructs => new()
    {
        { "annotations", """
            export function main(name: string, count: number = 2, flags: boolean[] = [true]): string {
              let total: number = count * 2, label: string = name;
              const list: Array<string> = [label];
              return `${list[0]}:${total}:${flags.length}`;
            }
            """, "\"x:4:1\"" },
        { "interfaces", """
            interface Point { x: number; y?: number }
            export interface Named<T> extends Point {
              name: T;
              move(dx: number): void;
            }
            export function main(): Point { const p: Point = { x: 1, y: 2 }; return p; }
            """, """{"x":1,"y":2}""" },
        { "type aliases", """
            type Id = string | number;
            export type Pair<A, B = A> = [A, B];
            type Handler = (event: { kind: "a" | "b" }) => void;
            type Deep =
              | { kind: "x" }
              | { kind: "y" };
            export function main(id: Id = 7): Pair<Id> { return [id, id]; }
            """, "[7,7]" },
        { "generics", """
            function first<T>(items: T[]): T { return items[0]; }
            const wrap = <T,>(value: T): { value: T } => ({ value });
            class Box<T extends object> { constructor(value: T) { this.value = value; } value: T; }
            export async function main() {
              const m = new Map<string, number>([["a", 1]]);
              const set = new Set<number>();
              return [first<number>([3, 4]), wrap<string>("w").value, new Box<{ a: number }>({ a: 1 }).value.a, m.get("a"), set.size, 1 < 2, 3 > 2];
            }
            """, """[3,"w",1,1,0,true,true]""" },
        { "as and satisfies", """
            export function main(input: unknown) {
              const n = (input as number) + 1;
              const s = input as unknown as string;
              const config = { retries: 3 } satisfies Record<string, number>;
              const frozen = ["a", "b"] as const;
              return [n, typeof s, config.retries, frozen.length];
            }
            """, """[2,"number",3,2]""" },
        { "optional parameters", """
            export function main(a: string, b?: number, c?: string) { return [a, b ?? null, c === undefined]; }
            """, """["x",null,true]""" },
        { "import type", """
            import type { Foo } from "windmill-client";
            import type Bar from "./bar";
            import { type Baz } from "some-package";
            export type { Foo as Qux };
            export function main(): string { const f: Foo | undefined = undefined; return typeof f; }
            """, "\"undefined\"" },
        { "export modifiers on types", """
            export type Mode = "fast" | "slow";
            export interface Options { mode: Mode }
            export declare const injected: number;
            declare function external(a: string): void;
            export function main(mode: Mode = "fast"): Options { return { mode }; }
            """, """{"mode":"fast"}""" },
        { "classes", """
            interface Shape { area(): number }
            abstract class Base implements Shape {
              protected readonly sides: number = 0;
              private cache?: number;
              static count: number = 0;
              abstract area(): number;
              describe(this: Base): string { return `${this.sides}`; }
            }
            class Square extends Base implements Shape {
              public side!: number;
              constructor(side: number) { super(); this.side = side; }
              public area(): number { return this.side ** 2; }
              get double(): number { return this.area() * 2; }
            }
            export function main() { const s = new Square(3); return [s.area(), s.double, s.describe()]; }
            """, """[9,18,"0"]""" },
        { "non-null and definite assignment", """
            export function main(values: number[] = [5]) {
              let found!: number;
              found = values.find(v => v > 1)!;
              const o: { a?: { b: number } } = { a: { b: 2 } };
              return found + o.a!.b;
            }
            """, "7" },
        { "function types and overloads", """
            function pick(x: string): string;
            function pick(x: number): number;
            function pick(x: any): any { return x; }
            const apply = (f: (n: number) => number, v: number): number => f(v);
            const isString = (v: unknown): v is string => typeof v === "string";
            export async function main(): Promise<Array<number | string | boolean>> {
              return [pick(1), pick("a"), apply((n: number): number => n * 2, 4), isString("s")];
            }
            """, """[1,"a",8,true]""" },
        { "expressions that look like types", """
            export function main(p = 1, q = 2) {
              const c = p < q ? { k: p } : { k: q };
              const label = p ? "yes" : "no";
              const obj = { method(x) { return x; }, key: q > p ? (p) : q };
              switch (p) { case 1: break; default: break; }
              const re = /a:b/g;
              return [c.k, label, obj.method(3), obj.key, re.test("a:b"), p / q / 1];
            }
            """, """[1,"yes",3,1,true,0.5]""" },
    };

    public async ValueTask InitializeAsync() => _host = await JavaScriptHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [MemberData(nameof(Constructs))]
    public async Task Typescript_runs_with_its_types_stripped(string construct, string script, string expected)
    {
        var version = await _host.DeployAsync(script);

        var job = await _host.RunAsync(version, new { name = "x", input = 1, a = "x" });

        Assert.True(job.Status == Jobs.JobStatus.Success, $"{construct}: {job.ResultJson()}\n{version.CompiledCode}");
        Assert.Equal(expected, job.ResultJson());
    }

    [Fact]
    public void Stripping_keeps_every_line_and_column_in_place()
    {
        const string script = "export function main(a: string,\n  b?: Array<number>): number {\n  return (a as any).length;\n}\n";

        var code = _host.Compiler.Compile("bun", script).Code;

        Assert.Equal(script.Length, code.Length);
        Assert.Equal(script.Split('\n').Select(l => l.Length), code.Split('\n').Select(l => l.Length));
        Assert.Equal("export function main(a" + new string(' ', 8) + ",\n  b" + new string(' ', 16) + ")" + new string(' ', 8) + " {\n  return (a"
            + new string(' ', 7) + ").length;\n}\n", code);
    }

    [Theory]
    [InlineData("enum Color { Red }\nexport function main() {}", "TypeScript enums are not supported", 1, 1)]
    [InlineData("export function main() {}\nconst enum E { A }", "TypeScript enums are not supported", 2, 1)]
    [InlineData("namespace N { export const a = 1 }\nexport function main() {}", "TypeScript namespaces are not supported", 1, 1)]
    [InlineData("class A { constructor(private x: number) {} }\nexport function main() {}", "parameter properties", 1, 23)]
    public void Typescript_that_cannot_be_erased_is_refused_with_its_place(string script, string message, int line, int column)
    {
        var error = Assert.Throws<Scripts.ScriptCompilationException>(() => _host.Compiler.Compile("deno", script));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    [Fact]
    public async Task Plain_javascript_is_not_stripped()
    {
        var version = await _host.DeployAsync("export function main(a, b = 2) { return a ? b : 0; }", language: "javascript");

        Assert.Equal("export function main(a, b = 2) { return a ? b : 0; }", version.CompiledCode);
        Assert.Throws<Scripts.ScriptCompilationException>(() => _host.Compiler.Compile("javascript", "export function main(a: string) {}"));
        (await _host.RunAsync(version, new { a = true })).AssertSucceeded("2");
    }
}
