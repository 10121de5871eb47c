namespace Windmill.Webhooks.JavaScript.Tests;

/// <summary>Running main: arguments, results, logs, errors and the job's environment.</summary>
public sealed class ExecutionTests : IAsyncLifetime
{
    private JavaScriptHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await JavaScriptHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Arguments_bind_to_main_by_name_with_defaults_honoured()
    {
        var version = await _host.DeployAsync("""
            export async function main(greeting: string, name: string = "world", times = 1, extra?: object) {
              return { text: `${greeting}, ${name}!`.repeat(times), extra: extra ?? "none" };
            }
            """);

        (await _host.RunAsync(version, new { name = "Ada", greeting = "Hi" })).AssertSucceeded("""{"text":"Hi, Ada!","extra":"none"}""");
        (await _host.RunAsync(version, new { greeting = "Hey", times = 2, extra = new { a = 1 }, unknown = 5 }))
            .AssertSucceeded("""{"text":"Hey, world!Hey, world!","extra":{"a":1}}""");
        (await _host.RunAsync(version, new { greeting = "Yo", name = (string?)null })).AssertSucceeded("""{"text":"Yo, null!","extra":"none"}""");
    }

    [Theory]
    [InlineData("return 42;", "42")]
    [InlineData("return 1.5e-7;", "1.5e-7")]
    [InlineData("return -0.25;", "-0.25")]
    [InlineData("return 'text';", "\"text\"")]
    [InlineData("return null;", "null")]
    [InlineData("return undefined;", "null")]
    [InlineData("", "null")]
    [InlineData("return true;", "true")]
    [InlineData("return new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6));", "\"2024-01-02T03:04:05.006Z\"")]
    [InlineData("return { a: [1, { b: null, c: undefined, d: new Date(0) }], e: {} };", """{"a":[1,{"b":null,"d":"1970-01-01T00:00:00.000Z"}],"e":{}}""")]
    [InlineData("return [undefined, NaN, () => 1];", "[null,null,null]")]
    [InlineData("return await Promise.resolve({ ok: true });", """{"ok":true}""")]
    public async Task The_result_is_converted_to_json_faithfully(string body, string expected)
    {
        var job = await _host.RunInlineAsync($"export async function main() {{ {body} }}");

        job.AssertSucceeded(expected);
    }

    [Fact]
    public async Task Console_output_goes_to_the_jobs_logs()
    {
        var job = await _host.RunInlineAsync("""
            export function main() {
              console.log("hello", 42, { a: [1] }, null, undefined);
              console.error("bad thing");
              console.warn("careful");
              console.info("fyi");
              return 1;
            }
            """);

        job.AssertSucceeded("1");
        Assert.Equal("hello 42 {\"a\":[1]} null undefined\nbad thing\ncareful\nfyi\n", job.Logs);
    }

    [Fact]
    public async Task A_thrown_error_fails_the_job_with_its_name_message_and_stack_and_keeps_the_logs()
    {
        var job = await _host.RunInlineAsync("""
            function check(value: number) {
              if (value < 0) throw new RangeError(`negative: ${value}`);
            }
            export async function main(value: number) {
              console.log("checking");
              check(value);
            }
            """, new { value = -1 });

        var error = job.AssertFailed("RangeError");
        Assert.Equal("negative: -1", error.GetProperty("message").GetString());
        Assert.Contains("check", error.GetProperty("stack").GetString(), StringComparison.Ordinal);
        Assert.Equal("checking\n", job.Logs);
    }

    [Fact]
    public async Task A_rejected_promise_or_a_thrown_value_fails_the_job()
    {
        (await _host.RunInlineAsync("export async function main() { await null; throw new TypeError('late'); }"))
            .AssertFailed("TypeError");
        var error = (await _host.RunInlineAsync("export function main() { throw 'just a string'; }")).AssertFailed("Error");
        Assert.Equal("just a string", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("throw new Proxy({}, { get() { throw new Error('trap'); } });")]
    [InlineData("throw { get name() { throw new Error('getter'); } };")]
    [InlineData("throw { message: { toString() { throw new Error('toString'); } } };")]
    public async Task A_thrown_value_that_throws_when_read_fails_the_job_with_a_fixed_error(string body)
    {
        var error = (await _host.RunInlineAsync($"export function main() {{ console.log('before'); {body} }}")).AssertFailed("Error");

        Assert.Equal("The script threw a value whose name, message or stack could not be read.", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Process_env_carries_windmills_job_variables()
    {
        var version = await _host.DeployAsync("""
            export function main() {
              const e = process.env;
              return [e.WM_WORKSPACE, e.WM_JOB_PATH, e.WM_PERMISSIONED_AS, e.WM_USERNAME, e.WM_JOB_ID, e.WM_FLOW_JOB_ID ?? "none"];
            }
            """, path: "u/alice/env");

        var job = await _host.RunAsync(version);

        job.AssertSucceeded($"""["demo","u/alice/env","u/alice","alice","{job.Id}","none"]""");
    }

    [Fact]
    public async Task A_version_without_compiled_code_is_compiled_from_its_content()
    {
        var version = await _host.DeployAsync("export function main(a: number) { return a * 2; }");
        var stored = version with { Hash = new Scripts.ScriptHash(version.Hash.Value + 1_000_000), ParentHash = version.Hash, CompiledCode = null };
        await _host.Store.AddVersionAsync(stored, audit: null, CancellationToken.None);

        (await _host.RunAsync(stored, new { a = 21 })).AssertSucceeded("42");
    }

    [Theory]
    [InlineData("export function main() { return 1 +; }")]
    [InlineData("export function main( {")]
    public async Task Stored_compiled_code_that_does_not_prepare_fails_its_job_as_a_compilation_error(string code)
    {
        var version = await _host.DeployAsync("export function main() { return 1; }");
        var stored = version with { Hash = new Scripts.ScriptHash(version.Hash.Value + 2_000_000), ParentHash = version.Hash, CompiledCode = code };
        await _host.Store.AddVersionAsync(stored, audit: null, CancellationToken.None);

        var error = (await _host.RunAsync(stored)).AssertFailed("ScriptCompilationError");

        Assert.StartsWith("The script cannot be prepared: ", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stored_compiled_code_nested_deeper_than_the_parser_can_follow_fails_its_job()
    {
        const int depth = 100_000;
        var version = await _host.DeployAsync("export function main() { return 1; }");
        var code = "export function main() { return " + new string('[', depth) + new string(']', depth) + "; }";
        var stored = version with { Hash = new Scripts.ScriptHash(version.Hash.Value + 3_000_000), ParentHash = version.Hash, CompiledCode = code };
        await _host.Store.AddVersionAsync(stored, audit: null, CancellationToken.None);

        var error = (await _host.RunAsync(stored)).AssertFailed("ScriptCompilationError");

        Assert.StartsWith("The script cannot be prepared: ", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inline_code_that_does_not_compile_fails_its_job_with_the_reason()
    {
        var error = (await _host.RunInlineAsync("import x from 'left-pad';\nexport function main() {}")).AssertFailed("ScriptCompilationError");

        Assert.Contains("'left-pad' cannot be imported", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hash_missing_from_the_store_fails_its_job()
    {
        var version = await _host.DeployAsync("export function main() { return 1; }");
        var missing = version with { Hash = new Scripts.ScriptHash(-5) };

        var error = (await _host.RunAsync(missing)).AssertFailed("ScriptNotFound");

        Assert.Equal("Script version fffffffffffffffb of u/bot/script is not in the script store.", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_module_is_prepared_once_per_hash()
    {
        var first = await _host.DeployAsync("let calls = 0; export function main() { return ++calls; }");
        var second = await _host.DeployAsync("export function main() { return 'second'; }");
        var before = _host.PreparedCount;

        for (var i = 0; i < 3; i++)
        {
            // Each run gets a fresh engine over the same prepared module: module state does not leak between jobs.
            (await _host.RunAsync(first)).AssertSucceeded("1");
            (await _host.RunAsync(second)).AssertSucceeded("\"second\"");
            (await _host.RunInlineAsync("export function main() { return 'inline'; }")).AssertSucceeded("\"inline\"");
        }

        Assert.Equal(before + 3, _host.PreparedCount);
    }
}
