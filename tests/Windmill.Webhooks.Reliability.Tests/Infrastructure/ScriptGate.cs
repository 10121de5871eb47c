namespace Windmill.Webhooks.Reliability.Tests.Infrastructure;

/// <summary>
/// The test script <c>u/test/gate(n)</c>: it signals that it started, waits until the test opens the gate
/// (honouring the job's cancellation), then returns its own <c>n</c>. Tests wait on these signals, never on time.
/// </summary>
internal sealed class ScriptGate
{
    public const string Path = "u/test/gate";

    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
    private int _started;

    public Delegate Handler => RunAsync;

    /// <summary>Completes once <paramref name="count"/> runs of the script have started in total.</summary>
    public Task StartedAsync(int count)
    {
        lock (_lock)
        {
            if (_started >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, reached));
            return reached.Task;
        }
    }

    public void Open() => _open.TrySetResult();

    private async Task<int> RunAsync(int n, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _started++;
            foreach (var waiter in _waiters.Where(w => w.Count <= _started))
            {
                waiter.Reached.TrySetResult();
            }

            _waiters.RemoveAll(w => w.Count <= _started);
        }

        await _open.Task.WaitAsync(cancellationToken);
        return n;
    }
}
