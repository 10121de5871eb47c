using System.Text.Json;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.Jobs;

namespace Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

/// <summary>
/// Stands in for the flow engine in the route tests: a flow job answers its args, or fails with the text of an arg
/// <c>fail</c>. It proves the webhooks' sync path without depending on what the engine does with a definition.
/// </summary>
internal sealed class EchoFlowExecutor : IJobExecutor
{
    public bool CanExecute(Job job) => job.Runnable.Kind == JobKind.Flow;

    public ValueTask<JobOutcome> ExecuteAsync(Job job, CancellationToken cancellationToken) => ValueTask.FromResult(
        job.Args.ValueKind == JsonValueKind.Object && job.Args.TryGetProperty("fail", out var fail)
            ? JobOutcome.Failure("FlowError", fail.GetString() ?? "failed")
            : JobOutcome.Success(job.Args.Clone()));
}
