using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.JavaScript.Tests;

/// <summary>Each limit fails the job that reaches it with a clear message; the worker is freed and other jobs go on.</summary>
public sealed class LimitTests
{
    [Fact]
    public async Task A_script_that_runs_past_its_timeout_fails_at_it()
    {
        await using var host = await JavaScriptHost.StartAsync(options => options.MaxStatements = int.MaxValue);
        var version = await host.DeployAsync("export function main() { for (;;) {} }", timeout: TimeSpan.FromMilliseconds(300));

        var error = (await host.RunAsync(version)).AssertFailed("TimeoutError");

        Assert.Equal("Script timed out after 0.3 s (its timeout).", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_timeout_beyond_what_a_timer_can_hold_runs_the_script_under_the_longest_one()
    {
        await using var host = await JavaScriptHost.StartAsync();
        var version = await host.DeployAsync("export function main() { return 'ran'; }", timeout: TimeSpan.FromDays(365));

        (await host.RunAsync(version)).AssertSucceeded("\"ran\"");
    }

    [Fact]
    public async Task A_catastrophic_regular_expression_fails_at_the_scripts_timeout()
    {
        await using var host = await JavaScriptHost.StartAsync();
        var version = await host.DeployAsync("export function main() { return /^(a+)+$/.test('a'.repeat(40) + 'b'); }", timeout: TimeSpan.FromMilliseconds(300));

        var error = (await host.RunAsync(version)).AssertFailed("TimeoutError");

        Assert.Equal("Script timed out after 0.3 s (its timeout).", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task The_default_timeout_applies_when_the_script_sets_none()
    {
        await using var host = await JavaScriptHost.StartAsync(options =>
        {
            options.MaxStatements = int.MaxValue;
            options.DefaultTimeout = TimeSpan.FromMilliseconds(200);
        });

        var error = (await host.RunInlineAsync("export async function main() { await new Promise(() => {}); }")).AssertFailed("TimeoutError");

        Assert.Equal("Script timed out after 0.2 s (its timeout).", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_script_that_runs_too_many_statements_fails_at_the_limit()
    {
        await using var host = await JavaScriptHost.StartAsync(options => options.MaxStatements = 10_000);

        var error = (await host.RunInlineAsync("export function main() { let i = 0; for (;;) { i++; } }")).AssertFailed("StatementLimitExceeded");

        Assert.Equal("Script exceeded the maximum of 10000 statements.", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_script_that_recurses_too_deep_fails_at_the_limit()
    {
        await using var host = await JavaScriptHost.StartAsync(options => options.MaxRecursionDepth = 50);

        var error = (await host.RunInlineAsync("function down(n: number): number { return down(n + 1) + 1; }\nexport function main() { return down(0); }"))
            .AssertFailed("RecursionLimitExceeded");

        Assert.Equal("Script exceeded the maximum call depth of 50.", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("const items = []; for (let i = 0; ; i++) items.push({ i, text: 'item ' + i });")]
    [InlineData("let s = 'x'; for (;;) s += s;")]
    [InlineData("return new Array(1e9).fill(0).length;")]
    public async Task A_script_that_allocates_too_much_fails_at_the_memory_limit(string body)
    {
        await using var host = await JavaScriptHost.StartAsync(options => options.MemoryLimit = 20_000_000);

        var error = (await host.RunInlineAsync($"export function main() {{ {body} }}")).AssertFailed("MemoryLimitExceeded");

        Assert.StartsWith("Script exceeded its memory limit of 20000000 bytes: ", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_runaway_frees_its_worker_and_the_other_jobs_run_meanwhile()
    {
        // Two workers: the runaway holds one while the other keeps serving jobs; the runaway then fails at its limit.
        await using var host = await JavaScriptHost.StartAsync(options => options.MaxStatements = int.MaxValue, workers: 2);
        var runaway = await host.DeployAsync("export function main() { for (;;) {} }", timeout: TimeSpan.FromSeconds(30), path: "u/bot/runaway");
        var quick = await host.DeployAsync("export function main(n: number) { return n; }", path: "u/bot/quick");

        var stuck = await host.EnqueueAsync(runaway);
        for (var i = 0; i < 5; i++)
        {
            (await host.RunAsync(quick, new { n = i })).AssertSucceeded(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(JobStatus.Running, (await host.Runner.GetAsync(JavaScriptHost.Workspace, stuck.Id, CancellationToken.None))!.Status);
        await host.Runner.CancelAsync(JavaScriptHost.Workspace, stuck.Id, "alice", "stuck", null, CancellationToken.None);
        Assert.Equal(JobStatus.Canceled, (await host.WaitAsync(stuck)).Status);
    }

    [Fact]
    public async Task After_each_limit_the_only_worker_is_free_for_the_next_job()
    {
        await using var host = await JavaScriptHost.StartAsync(options =>
        {
            options.MaxStatements = 100_000;
            options.MaxRecursionDepth = 50;
            options.MemoryLimit = 20_000_000;
        }, workers: 1);
        var quick = await host.DeployAsync("export function main() { return 'ok'; }", path: "u/bot/quick");

        (await host.RunInlineAsync("export function main() { for (;;) {} }")).AssertFailed("StatementLimitExceeded");
        (await host.RunAsync(quick)).AssertSucceeded("\"ok\"");
        (await host.RunInlineAsync("export function main() { const f = () => f(); f(); }")).AssertFailed("RecursionLimitExceeded");
        (await host.RunAsync(quick)).AssertSucceeded("\"ok\"");
        (await host.RunInlineAsync("export function main() { let s = 'x'; for (;;) s += s; }")).AssertFailed("MemoryLimitExceeded");
        (await host.RunAsync(quick)).AssertSucceeded("\"ok\"");
    }
}
