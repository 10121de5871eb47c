namespace Windmill.Webhooks.CrashTest;

/// <summary>
/// Tells the clients where the sample serves, and holds them back while none is up, so the load goes to
/// live processes and the requests that fail are the ones a kill cut short. With two processes up, each
/// client takes them in turn.
/// </summary>
internal sealed class ServingSample
{
    private readonly Lock _lock = new();
    private readonly List<SampleEndpoint> _up = [];
    private TaskCompletionSource _anyUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A live endpoint, the <paramref name="turn"/>-th of those up; waits while none is.</summary>
    public async Task<SampleEndpoint> WaitUntilUpAsync(int turn, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task anyUp;
            lock (_lock)
            {
                if (_up.Count > 0)
                {
                    return _up[turn % _up.Count];
                }

                anyUp = _anyUp.Task;
            }

            await anyUp.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void MarkUp(SampleEndpoint endpoint)
    {
        lock (_lock)
        {
            _up.Add(endpoint);
            _anyUp.TrySetResult();
        }
    }

    /// <summary>Takes the process serving at <paramref name="baseAddress"/> out of the turns, before it is killed.</summary>
    public void MarkDown(Uri baseAddress)
    {
        lock (_lock)
        {
            _up.RemoveAll(endpoint => endpoint.BaseAddress == baseAddress);
            if (_up.Count == 0 && _anyUp.Task.IsCompleted)
            {
                _anyUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }
}

/// <summary>Where a live sample serves, and the hash of its <c>u/bot/echo</c> (stable across restarts).</summary>
internal sealed record SampleEndpoint(Uri BaseAddress, string EchoHash);
