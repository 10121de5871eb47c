using System.Collections.Concurrent;
using System.Text.Json;

namespace Windmill.Webhooks.Flows;

/// <summary>
/// Hands a flow's early result (its <c>early_return</c> step's) to synchronous callers waiting in this process, while the
/// flow goes on. A caller that starts waiting later reads it from the flow's <c>flow_status</c> instead.
/// </summary>
internal sealed class FlowEarlyReturns
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<JsonElement>> _waiting = new();

    /// <summary>The early result of flow <paramref name="flowJob"/>, when it comes; call <see cref="Forget"/> once done waiting.</summary>
    public Task<JsonElement> Watch(Guid flowJob) =>
        _waiting.GetOrAdd(flowJob, _ => new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Forget(Guid flowJob) => _waiting.TryRemove(flowJob, out _);

    public void Publish(Guid flowJob, JsonElement result)
    {
        if (_waiting.TryGetValue(flowJob, out var waiting))
        {
            waiting.TrySetResult(result.Clone());
        }
    }
}
