using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Tests.Flows;

/// <summary>
/// A flow's failures, early return, cancel and restart, and the definitions refused at create time (400, nothing stored).
/// </summary>
public sealed class FlowLifecycleTests
{
    private const string Wait = """{"type": "script", "path": "u/code/wait", "input_transforms": {"key": {"type": "static", "value": "KEY"}}}""";

    [Fact]
    public async Task The_failure_module_gets_the_error_and_the_failing_steps_id_and_its_result_is_the_flows_error_answer()
    {
        await using var host = await FlowHost.StartAsync();
        await host.CreateFlowAsync("f/t/failing", """
            {"modules": [{"id": "boom", "value": {"type": "script", "path": "u/code/fail", "input_transforms": {"message": {"type": "static", "value": "disk full"}}}},
                         {"id": "never", "value": {"type": "identity"}}],
             "failure_module": {"id": "failure", "value": {"type": "rawscript", "language": "javascript",
               "content": "export function main(message, step) { return { handled: `${step}: ${message}` } }",
               "input_transforms": {"message": {"type": "javascript", "expr": "error.message"}, "step": {"type": "javascript", "expr": "previous_result.error.step_id"}}}}}
            """);

        Assert.Equal((HttpStatusCode.UnprocessableEntity, """{"handled":"boom: disk full"}"""), await host.RunAsync("f/t/failing"));
    }

    [Fact]
    public async Task Without_a_failure_module_the_flow_fails_with_the_steps_error_and_its_id()
    {
        await using var host = await FlowHost.StartAsync();
        await host.CreateFlowAsync("f/t/plain_fail", """
            {"modules": [{"id": "boom", "value": {"type": "script", "path": "u/code/fail", "input_transforms": {"message": {"type": "static", "value": "disk full"}}}}]}
            """);

        var (status, body) = await host.RunAsync("f/t/plain_fail");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal(("InvalidOperationException", "disk full", "boom"),
            (error.GetProperty("name").GetString(), error.GetProperty("message").GetString(), error.GetProperty("step_id").GetString()));
    }

    [Fact]
    public async Task A_bad_expression_fails_its_step_with_a_message_naming_the_step_and_the_expression()
    {
        await using var host = await FlowHost.StartAsync();
        await host.CreateFlowAsync("f/t/bad_expr", """
            {"modules": [{"id": "a", "value": {"type": "script", "path": "u/code/add",
              "input_transforms": {"a": {"type": "javascript", "expr": "results.missing.value"}, "b": {"type": "static", "value": 1}}}}]}
            """);

        var (status, body) = await host.RunAsync("f/t/bad_expr");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal("FlowExpressionError", error.GetProperty("name").GetString());
        Assert.StartsWith("Step `a`: the expression of input `a`, `results.missing.value`, failed: TypeError", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_expression_that_never_ends_is_stopped_by_the_expressions_time_limit()
    {
        await using var host = await FlowHost.StartAsync();
        await host.CreateFlowAsync("f/t/endless", """
            {"modules": [{"id": "spin", "value": {"type": "script", "path": "u/code/add",
              "input_transforms": {"a": {"type": "javascript", "expr": "while (true) {}"}, "b": {"type": "static", "value": 1}}}}]}
            """);
        var id = await host.StartFlowAsync("f/t/endless");

        // The limit runs on the host's clock: move it past 5 s once the expression spins under it.
        await host.Time.TimerCreated;
        host.Time.Advance(TimeSpan.FromSeconds(6));
        var error = (await host.WaitForCompletionAsync(id)).Result!.Value.GetProperty("error");
        Assert.Equal("Step `spin`: the expression of input `a`, `while (true) {}`, failed: it ran longer than 5 s, the expressions' time limit",
            error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_sync_caller_gets_the_early_return_steps_result_while_the_flow_goes_on()
    {
        await using var host = await FlowHost.StartAsync();
        await host.CreateFlowAsync("f/t/early", """
            {"early_return": "first",
             "modules": [{"id": "first", "value": {"type": "rawscript", "language": "javascript", "content": "export function main() { return 'accepted' }", "input_transforms": {}}},
                         {"id": "slow", "value": <<0>>}]}
            """.Replace("<<0>>", Wait.Replace("KEY", "early-slow", StringComparison.Ordinal), StringComparison.Ordinal));

        var answer = await host.RunAsync("f/t/early");
        await host.Steps.StartedAsync("early-slow");

        Assert.Equal((HttpStatusCode.OK, "\"accepted\""), answer);
        var flows = new List<Job>();
        await foreach (var job in host.Services.GetRequiredService<IJobRunner>().ListAsync(new JobQuery { Workspace = "demo", Kinds = [JobKind.Flow] }, CancellationToken.None))
        {
            flows.Add(job);
        }

        var flow = Assert.Single(flows);
        Assert.False(flow.IsCompleted);
        host.Steps.Release("early-slow", "done later");
        Assert.Equal("\"done later\"", (await host.WaitForCompletionAsync(flow.Id)).Result!.Value.GetRawText());
    }

    [Fact]
    public async Task An_early_return_step_that_needs_no_job_answers_the_sync_caller_too()
    {
        await using var host = await FlowHost.StartAsync();
        await host.CreateFlowAsync("f/t/early_mock", """
            {"early_return": "first",
             "modules": [{"id": "first", "mock": {"enabled": true, "return_value": "at once"}, "value": {"type": "identity"}},
                         {"id": "slow", "value": WAIT}]}
            """.Replace("WAIT", Wait.Replace("KEY", "early-mock-slow", StringComparison.Ordinal), StringComparison.Ordinal));

        var answer = await host.RunAsync("f/t/early_mock");

        Assert.Equal((HttpStatusCode.OK, "\"at once\""), answer);
        host.Steps.Release("early-mock-slow", "done");
    }

    [Fact]
    public async Task Cancelling_a_flow_cancels_its_running_step()
    {
        await using var host = await FlowHost.StartAsync();
        await host.CreateFlowAsync("f/t/cancel", """{"modules": [{"id": "slow", "value": <<0>>}]}""".Replace("<<0>>", Wait.Replace("KEY", "cancel-slow", StringComparison.Ordinal), StringComparison.Ordinal));
        var id = await host.StartFlowAsync("f/t/cancel");
        await host.Steps.StartedAsync("cancel-slow");

        using var cancel = await host.Client.PostAsync($"{FlowHost.Api}/jobs_u/queue/cancel/{id}", Wire.JsonBody("""{"reason": "enough"}"""));
        var flow = await host.WaitForCompletionAsync(id);
        var step = Assert.Single(await host.StepsOfAsync(id));
        step = await host.WaitForCompletionAsync(step.Id);

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal((JobStatus.Canceled, JobStatus.Canceled, "enough"), (flow.Status, step.Status, step.CanceledReason));
    }

    [Fact]
    public async Task After_a_restart_a_flow_goes_on_from_its_last_completed_step_without_running_it_again()
    {
        await using var host = await FlowHost.StartAsync();
        await host.CreateFlowAsync("f/t/restart", """
            {"modules": [{"id": "once", "value": {"type": "script", "path": "u/code/count", "input_transforms": {"key": {"type": "static", "value": "once"}}}},
                         {"id": "slow", "value": <<0>>},
                         {"id": "last", "value": {"type": "rawscript", "language": "javascript", "content": "export function main(a, b) { return [a, b] }",
                           "input_transforms": {"a": {"type": "javascript", "expr": "results.once"}, "b": {"type": "javascript", "expr": "results.slow"}}}}]}
            """.Replace("<<0>>", Wait.Replace("KEY", "restart-slow", StringComparison.Ordinal), StringComparison.Ordinal));
        var id = await host.StartFlowAsync("f/t/restart");
        await host.Steps.StartedAsync("restart-slow");

        await host.RestartAsync();
        host.Steps.Release("restart-slow", "finished");
        var flow = await host.WaitForCompletionAsync(id);

        Assert.Equal((JobStatus.Success, """[1,"finished"]"""), (flow.Status, flow.Result!.Value.GetRawText()));
        Assert.Equal(1, host.Steps.Runs("once"));
    }

    [Theory]
    [InlineData("""{"modules": "none"}""", "value: `modules` is missing or is not an array")]
    [InlineData("""{"modules": [{"id": "a", "value": {"type": "teleport"}}]}""", "step `a` (modules[0]): unknown module type `teleport`")]
    [InlineData("""{"modules": [{"id": "a", "value": {"type": "identity"}}, {"id": "a", "value": {"type": "identity"}}]}""", "step `a` (modules[1]): the id `a` is used by another step")]
    [InlineData("""{"modules": [{"id": "a", "value": {"type": "script", "path": "u/code/nope", "input_transforms": {}}}]}""", "step `a` (modules[0]): script u/code/nope not found")]
    [InlineData("""{"modules": [{"id": "a", "value": {"type": "forloopflow", "iterator": {"type": "static", "value": []}, "modules": [{"id": "b", "value": {"type": "flow", "path": "f/t/ghost", "input_transforms": {}}}]}}]}""", "step `b` (modules[0].value.modules[0]): flow f/t/ghost not found")]
    [InlineData("""{"modules": [{"id": "a", "value": {"type": "whileloopflow", "modules": []}}]}""", "step `a` (modules[0]): a whileloopflow needs `stop_after_if`")]
    [InlineData("""{"modules": [{"id": "a", "retry": 5, "value": {"type": "identity"}}]}""", "step `a` (modules[0]): retry must be an object")]
    [InlineData("""{"modules": [{"id": "a", "timeout": {"type": "static", "value": 5}, "value": {"type": "forloopflow", "iterator": {"type": "static", "value": []}, "modules": []}}]}""", "step `a` (modules[0]): `timeout` applies to script and rawscript steps only")]
    public async Task A_definition_that_cannot_run_is_refused_with_400_naming_the_module_and_nothing_is_stored(string value, string message)
    {
        await using var host = await FlowHost.StartAsync();

        using var created = await host.CreateFlowResponseAsync("f/t/bad", value);
        using var get = await host.Client.GetAsync($"{FlowHost.Api}/flows/get/f/t/bad");

        Assert.Equal((HttpStatusCode.BadRequest, Wire.Text), (created.StatusCode, Wire.ContentType(created)));
        Assert.Contains(message, await created.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task A_cycle_of_sub_flows_is_refused()
    {
        await using var host = await FlowHost.StartAsync();
        await host.CreateFlowAsync("f/t/a", """{"modules": [{"id": "x", "value": {"type": "identity"}}]}""");
        await host.CreateFlowAsync("f/t/b", """{"modules": [{"id": "y", "value": {"type": "flow", "path": "f/t/a", "input_transforms": {}}}]}""");

        using var looped = await host.Client.PostAsync($"{FlowHost.Api}/flows/update/f/t/a", Wire.JsonBody(
            """{"path": "f/t/a", "summary": "", "value": {"modules": [{"id": "z", "value": {"type": "flow", "path": "f/t/b", "input_transforms": {}}}]}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, looped.StatusCode);
        Assert.Contains("sub-flows form a cycle: f/t/a → f/t/b → f/t/a", await looped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
