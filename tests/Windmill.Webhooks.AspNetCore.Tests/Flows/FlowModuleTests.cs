using System.Net;
using System.Text.Json;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Tests.Flows;

/// <summary>
/// Each OpenFlow module type and step option, run through the flow webhooks (windmill-api.md §11 in docs/wire-format.md):
/// the sync answer is the flow's result (200) or its error (422).
/// </summary>
public sealed class FlowModuleTests
{
    private const string Add = """{"type": "script", "path": "u/code/add", "input_transforms": {"a": {"type": "javascript", "expr": "flow_input.x"}, "b": {"type": "static", "value": 1}}}""";

    [Fact]
    public async Task A_stored_script_an_inline_TypeScript_step_and_an_identity_chain_their_results()
    {
        await using var host = await FlowHost.StartAsync();
        await host.CreateFlowAsync("f/t/chain", """
            {"modules": [
              {"id": "a", "value": <<0>>},
              {"id": "b", "value": {"type": "rawscript", "language": "bun",
                "content": "export function main(n: number, label: string) { return `${label}: ${n * 10}` }",
                "input_transforms": {"n": {"type": "javascript", "expr": "results.a"}, "label": {"type": "static", "value": "ten times"}}}},
              {"id": "c", "value": {"type": "identity"}}
            ]}
            """.Replace("<<0>>", Add, StringComparison.Ordinal));

        Assert.Equal((HttpStatusCode.OK, "\"ten times: 50\""), await host.RunAsync("f/t/chain", """{"x": 4}"""));
    }

    [Fact]
    public async Task A_flow_job_shows_its_kind_raw_flow_and_status_and_each_step_is_a_flow_step_job_of_it()
    {
        await using var host = await FlowHost.StartAsync();
        var value = """{"modules": [{"id": "a", "value": <<0>>}, {"id": "b", "value": {"type": "identity"}}]}""".Replace("<<0>>", Add, StringComparison.Ordinal);
        await host.CreateFlowAsync("f/t/shown", value);

        var id = await host.StartFlowAsync("f/t/shown", """{"x": 1}""");
        await host.WaitForCompletionAsync(id);
        var job = await host.GetJobJsonAsync(id);
        var steps = await host.StepsOfAsync(id);

        var step = Assert.Single(steps);
        Assert.Equal(("flow", "f/t/shown", true, "2"), (job.GetProperty("job_kind").GetString(), job.GetProperty("script_path").GetString(),
            job.GetProperty("success").GetBoolean(), job.GetProperty("result").GetRawText()));
        Assert.Equal(JsonSerializer.Serialize(JsonDocument.Parse(value).RootElement), job.GetProperty("raw_flow").GetRawText());
        var modules = job.GetProperty("flow_status").GetProperty("modules");
        Assert.Equal([("a", "Success", step.Id.ToString()), ("b", "Success", null)],
            modules.EnumerateArray().Select(m => (m.GetProperty("id").GetString(), m.GetProperty("type").GetString(),
                m.TryGetProperty("job", out var j) ? j.GetString() : null)).ToList());
        var stepJson = await host.GetJobJsonAsync(step.Id);
        Assert.Equal((id.ToString(), true, "u/code/add", "script"), (stepJson.GetProperty("parent_job").GetString(),
            stepJson.GetProperty("is_flow_step").GetBoolean(), stepJson.GetProperty("script_path").GetString(), stepJson.GetProperty("job_kind").GetString()));
    }

    [Fact]
    public async Task A_for_loop_gives_the_array_of_its_iterations_results_sequentially_and_in_parallel()
    {
        await using var host = await FlowHost.StartAsync(workers: 2);
        foreach (var (path, options) in new[] { ("f/t/seq", "\"parallel\": false"), ("f/t/par", "\"parallel\": true, \"parallelism\": 2") })
        {
            await host.CreateFlowAsync(path, """
                {"modules": [{"id": "loop", "value": {"type": "forloopflow", <<0>>, "skip_failures": false,
                  "iterator": {"type": "javascript", "expr": "flow_input.items"},
                  "modules": [{"id": "double_<<1>>", "value": {"type": "rawscript", "language": "javascript",
                    "content": "export function main(x, i) { return { x: x * 2, i } }",
                    "input_transforms": {"x": {"type": "javascript", "expr": "flow_input.iter.value"}, "i": {"type": "javascript", "expr": "flow_input.iter.index"}}}}]}}]}
                """.Replace("<<0>>", options, StringComparison.Ordinal).Replace("<<1>>", path[^3..], StringComparison.Ordinal));
        }

        const string expected = """[{"x":2,"i":0},{"x":4,"i":1},{"x":6,"i":2},{"x":8,"i":3},{"x":10,"i":4}]""";
        Assert.Equal((HttpStatusCode.OK, expected), await host.RunAsync("f/t/seq", """{"items": [1, 2, 3, 4, 5]}"""));
        Assert.Equal((HttpStatusCode.OK, expected), await host.RunAsync("f/t/par", """{"items": [1, 2, 3, 4, 5]}"""));
        Assert.Equal((HttpStatusCode.OK, "[]"), await host.RunAsync("f/t/par", """{"items": []}"""));
    }

    [Fact]
    public async Task A_loops_steps_see_the_results_of_the_steps_before_the_loop()
    {
        await using var host = await FlowHost.StartAsync();
        await host.CreateFlowAsync("f/t/outer", """
            {"modules": [
              {"id": "base", "value": {"type": "rawscript", "language": "javascript", "content": "export function main() { return 100 }", "input_transforms": {}}},
              {"id": "loop", "value": {"type": "forloopflow", "iterator": {"type": "static", "value": [1, 2]},
                "modules": [{"id": "plus", "value": {"type": "rawscript", "language": "javascript", "content": "export function main(a, b, p) { return a + b + p }",
                  "input_transforms": {"a": {"type": "javascript", "expr": "results.base"}, "b": {"type": "javascript", "expr": "flow_input.iter.value"},
                                       "p": {"type": "javascript", "expr": "previous_result"}}}}]}}]}
            """);

        Assert.Equal((HttpStatusCode.OK, "[201,202]"), await host.RunAsync("f/t/outer"));
    }

    [Fact]
    public async Task A_hundred_parallel_iterations_with_nested_flows_finish_on_two_workers()
    {
        await using var host = await FlowHost.StartAsync(workers: 2);
        await host.CreateFlowAsync("f/t/inner", """{"modules": [{"id": "add", "value": <<0>>}]}""".Replace("<<0>>", Add, StringComparison.Ordinal));
        await host.CreateFlowAsync("f/t/wide", """
            {"modules": [{"id": "loop", "value": {"type": "forloopflow", "parallel": true, "skip_failures": false,
              "iterator": {"type": "javascript", "expr": "Array.from({length: 100}, (_, i) => i)"},
              "modules": [{"id": "sub", "value": {"type": "flow", "path": "f/t/inner",
                "input_transforms": {"x": {"type": "javascript", "expr": "flow_input.iter.value"}}}}]}}]}
            """);

        var (status, body) = await host.RunAsync("f/t/wide");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Enumerable.Range(1, 100), JsonSerializer.Deserialize<int[]>(body));
    }

    [Fact]
    public async Task Skip_failures_keeps_a_failed_iterations_error_in_its_place_and_without_it_the_loop_fails()
    {
        await using var host = await FlowHost.StartAsync();
        foreach (var (path, skip) in new[] { ("f/t/skip", "true"), ("f/t/strict", "false") })
        {
            await host.CreateFlowAsync(path, """
                {"modules": [{"id": "loop", "value": {"type": "forloopflow", "skip_failures": <<0>>,
                  "iterator": {"type": "static", "value": [1, 0, 2]},
                  "modules": [{"id": "check_<<1>>", "value": {"type": "rawscript", "language": "javascript",
                    "content": "export function main(x) { if (!x) throw new Error('zero'); return x }",
                    "input_transforms": {"x": {"type": "javascript", "expr": "flow_input.iter.value"}}}}]}}]}
                """.Replace("<<0>>", skip, StringComparison.Ordinal).Replace("<<1>>", skip, StringComparison.Ordinal));
        }

        var (okStatus, okBody) = await host.RunAsync("f/t/skip");
        var (failStatus, failBody) = await host.RunAsync("f/t/strict");

        Assert.Equal(HttpStatusCode.OK, okStatus);
        var results = JsonDocument.Parse(okBody).RootElement;
        Assert.Equal(("1", "zero", "2"), (results[0].GetRawText(), results[1].GetProperty("error").GetProperty("message").GetString(), results[2].GetRawText()));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, failStatus);
        var error = JsonDocument.Parse(failBody).RootElement.GetProperty("error");
        Assert.Equal(("Error", "zero", "loop"), (error.GetProperty("name").GetString(), error.GetProperty("message").GetString(), error.GetProperty("step_id").GetString()));
    }

    [Fact]
    public async Task A_while_loop_runs_until_its_stop_after_if_holds()
    {
        await using var host = await FlowHost.StartAsync();
        await host.CreateFlowAsync("f/t/while", """
            {"modules": [{"id": "loop", "stop_after_if": {"expr": "result >= 3"},
              "value": {"type": "whileloopflow", "skip_failures": false,
                "modules": [{"id": "next", "value": {"type": "rawscript", "language": "javascript", "content": "export function main(i) { return i + 1 }",
                  "input_transforms": {"i": {"type": "javascript", "expr": "flow_input.iter.index"}}}}]}}]}
            """);

        Assert.Equal((HttpStatusCode.OK, "[1,2,3]"), await host.RunAsync("f/t/while"));
    }

    [Fact]
    public async Task Branchone_runs_the_first_branch_whose_condition_holds_or_the_default()
    {
        await using var host = await FlowHost.StartAsync();
        await host.CreateFlowAsync("f/t/one", """
            {"modules": [{"id": "pick", "value": {"type": "branchone",
              "branches": [
                {"expr": "flow_input.n > 10", "modules": [{"id": "big", "value": {"type": "rawscript", "language": "javascript", "content": "export function main() { return 'big' }", "input_transforms": {}}}]},
                {"expr": "flow_input.n > 5", "modules": [{"id": "medium", "value": {"type": "rawscript", "language": "javascript", "content": "export function main() { return 'medium' }", "input_transforms": {}}}]}],
              "default": [{"id": "small", "value": {"type": "rawscript", "language": "javascript", "content": "export function main() { return 'small' }", "input_transforms": {}}}]}}]}
            """);

        Assert.Equal((HttpStatusCode.OK, "\"big\""), await host.RunAsync("f/t/one", """{"n": 20}"""));
        Assert.Equal((HttpStatusCode.OK, "\"medium\""), await host.RunAsync("f/t/one", """{"n": 7}"""));
        Assert.Equal((HttpStatusCode.OK, "\"small\""), await host.RunAsync("f/t/one", """{"n": 1}"""));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Branchall_gives_every_branchs_result_in_order_and_skip_failure_keeps_a_failed_ones_error(bool parallel)
    {
        await using var host = await FlowHost.StartAsync();
        await host.CreateFlowAsync("f/t/all", """
            {"modules": [{"id": "all", "value": {"type": "branchall", "parallel": <<0>>,
              "branches": [
                {"modules": [{"id": "one", "value": <<1>>}]},
                {"skip_failure": true, "modules": [{"id": "two", "value": {"type": "script", "path": "u/code/fail", "input_transforms": {"message": {"type": "static", "value": "no"}}}}]},
                {"modules": [{"id": "three", "value": {"type": "identity"}}]}]}}]}
            """.Replace("<<0>>", (parallel ? "true" : "false"), StringComparison.Ordinal).Replace("<<1>>", Add, StringComparison.Ordinal));

        var (status, body) = await host.RunAsync("f/t/all", """{"x": 2}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var results = JsonDocument.Parse(body).RootElement;
        Assert.Equal(("3", "no", "null"), (results[0].GetRawText(), results[1].GetProperty("error").GetProperty("message").GetString(), results[2].GetRawText()));
    }

    [Fact]
    public async Task A_sub_flow_runs_with_its_inputs_and_gives_its_result()
    {
        await using var host = await FlowHost.StartAsync();
        await host.CreateFlowAsync("f/t/child", """{"modules": [{"id": "add", "value": <<0>>}]}""".Replace("<<0>>", Add, StringComparison.Ordinal));
        await host.CreateFlowAsync("f/t/parent", """
            {"modules": [{"id": "call", "value": {"type": "flow", "path": "f/t/child", "input_transforms": {"x": {"type": "javascript", "expr": "flow_input.y * 3"}}}},
                         {"id": "after", "value": {"type": "rawscript", "language": "javascript", "content": "export function main(r) { return 'child gave ' + r }",
                           "input_transforms": {"r": {"type": "javascript", "expr": "previous_result"}}}}]}
            """);

        Assert.Equal((HttpStatusCode.OK, "\"child gave 7\""), await host.RunAsync("f/t/parent", """{"y": 2}"""));
    }

    [Fact]
    public async Task Stop_after_if_ends_the_flow_with_that_steps_result_and_later_steps_never_run()
    {
        await using var host = await FlowHost.StartAsync();
        await host.CreateFlowAsync("f/t/stop", """
            {"modules": [{"id": "a", "value": <<0>>, "stop_after_if": {"expr": "result > 5", "skip_if_stopped": false}},
                         {"id": "b", "value": {"type": "script", "path": "u/code/count", "input_transforms": {"key": {"type": "static", "value": "after-stop"}}}}]}
            """.Replace("<<0>>", Add, StringComparison.Ordinal));

        Assert.Equal((HttpStatusCode.OK, "10"), await host.RunAsync("f/t/stop", """{"x": 9}"""));
        Assert.Equal(0, host.Steps.Runs("after-stop"));
        Assert.Equal((HttpStatusCode.OK, "1"), await host.RunAsync("f/t/stop", """{"x": 1}"""));
    }

    [Fact]
    public async Task Skip_if_skips_the_step_with_a_null_result_and_mock_answers_without_running_it()
    {
        await using var host = await FlowHost.StartAsync();
        await host.CreateFlowAsync("f/t/skip", """
            {"modules": [
              {"id": "skipped", "skip_if": {"expr": "flow_input.skip"}, "value": {"type": "script", "path": "u/code/count", "input_transforms": {"key": {"type": "static", "value": "skipped"}}}},
              {"id": "mocked", "mock": {"enabled": true, "return_value": {"mocked": true}}, "value": {"type": "script", "path": "u/code/count", "input_transforms": {"key": {"type": "static", "value": "mocked"}}}},
              {"id": "both", "value": {"type": "rawscript", "language": "javascript", "content": "export function main(s, m) { return [s, m] }",
                "input_transforms": {"s": {"type": "javascript", "expr": "results.skipped"}, "m": {"type": "javascript", "expr": "results.mocked"}}}}]}
            """);

        var id = await host.StartFlowAsync("f/t/skip", """{"skip": true}""");
        var flow = await host.WaitForCompletionAsync(id);

        Assert.Equal("""[null,{"mocked":true}]""", flow.Result!.Value.GetRawText());
        Assert.Equal((0, 0, 1), (host.Steps.Runs("skipped"), host.Steps.Runs("mocked"), (await host.StepsOfAsync(id)).Count));
    }

    [Fact]
    public async Task Continue_on_error_passes_the_error_on_as_the_steps_result()
    {
        await using var host = await FlowHost.StartAsync();
        await host.CreateFlowAsync("f/t/continue", """
            {"modules": [
              {"id": "a", "continue_on_error": true, "value": {"type": "script", "path": "u/code/fail", "input_transforms": {"message": {"type": "static", "value": "broke"}}}},
              {"id": "b", "value": {"type": "rawscript", "language": "javascript", "content": "export function main(e) { return 'after: ' + e.error.message }",
                "input_transforms": {"e": {"type": "javascript", "expr": "previous_result"}}}}]}
            """);

        Assert.Equal((HttpStatusCode.OK, "\"after: broke\""), await host.RunAsync("f/t/continue"));
    }

    [Fact]
    public async Task Retry_tries_a_failing_step_again_after_its_delay_until_it_succeeds()
    {
        await using var host = await FlowHost.StartAsync();
        await host.CreateFlowAsync("f/t/retry", """
            {"modules": [{"id": "a", "retry": {"constant": {"attempts": 1, "seconds": 10}, "exponential": {"attempts": 2, "multiplier": 1, "seconds": 3}},
              "value": {"type": "script", "path": "u/code/flaky", "input_transforms": {"key": {"type": "static", "value": "flaky"}, "failures": {"type": "static", "value": 2}}}}]}
            """);
        var id = await host.StartFlowAsync("f/t/retry");

        // Attempt 1 fails at once; attempt 2 waits 10 s (constant), attempt 3 waits 3^1 = 3 s (exponential).
        var start = host.Time.GetUtcNow();
        await WaitForStepsAsync(host, id, 2);
        host.Time.Advance(TimeSpan.FromSeconds(10));
        await WaitForStepsAsync(host, id, 3);
        host.Time.Advance(TimeSpan.FromSeconds(3));
        var flow = await host.WaitForCompletionAsync(id);

        var steps = (await host.StepsOfAsync(id)).OrderBy(s => s.ScheduledFor).ToList();
        Assert.Equal((JobStatus.Success, "3"), (flow.Status, flow.Result!.Value.GetRawText()));
        Assert.Equal([start, start + TimeSpan.FromSeconds(10), start + TimeSpan.FromSeconds(13)], steps.Select(s => s.ScheduledFor));
        Assert.Equal([JobStatus.Failure, JobStatus.Failure, JobStatus.Success], steps.Select(s => s.Status));
    }

    [Fact]
    public async Task Sleep_delays_the_next_step_and_timeout_limits_the_step()
    {
        await using var host = await FlowHost.StartAsync();
        await host.CreateFlowAsync("f/t/sleep", """
            {"modules": [{"id": "a", "value": <<0>>, "sleep": {"type": "static", "value": 30}},
                         {"id": "b", "timeout": {"type": "javascript", "expr": "2 * 5"},
                          "value": {"type": "script", "path": "u/code/wait", "input_transforms": {"key": {"type": "static", "value": "slow"}}}}]}
            """.Replace("<<0>>", Add, StringComparison.Ordinal));
        var id = await host.StartFlowAsync("f/t/sleep", """{"x": 1}""");
        var start = host.Time.GetUtcNow();

        await WaitForStepsAsync(host, id, 2);
        var waiting = (await host.StepsOfAsync(id)).Single(s => s.Runnable.Path == "u/code/wait");
        host.Time.Advance(TimeSpan.FromSeconds(30));
        await host.Steps.StartedAsync("slow");
        host.Time.Advance(TimeSpan.FromSeconds(10));
        var flow = await host.WaitForCompletionAsync(id);

        Assert.Equal((start + TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10)), (waiting.ScheduledFor, waiting.Timeout));
        Assert.Equal(JobStatus.Failure, flow.Status);
        var error = flow.Result!.Value.GetProperty("error");
        Assert.Equal(("ExecutionErr", "b"), (error.GetProperty("name").GetString(), error.GetProperty("step_id").GetString()));
    }

    private static Task WaitForStepsAsync(FlowHost host, Guid flow, int count) =>
        host.WaitUntilAsync(async () => (await host.StepsOfAsync(flow)).Count >= count);
}
