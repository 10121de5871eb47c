namespace Windmill.Webhooks.CrashTest;

/// <summary>
/// Tells the clients where the sample serves, and holds them back while it is down, so the load goes to a
/// live process and the requests that fail are the ones a kill cut short.
/// </summary>
internal sealed class ServingSample
{
    private readonly Lock _lock = new();
    private TaskCompletionSource<SampleEndpoint> _up = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<SampleEndpoint> WaitUntilUpAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _up.Task.WaitAsync(cancellationToken);
        }
    }

    public void MarkUp(SampleEndpoint endpoint)
    {
        lock (_lock)
        {
            _up.TrySetResult(endpoint);
        }
    }

    public void MarkDown()
    {
        lock (_lock)
        {
            if (_up.Task.IsCompleted)
            {
                _up = new TaskCompletionSource<SampleEndpoint>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }
}

/// <summary>Where a live sample serves, and the hash of its <c>u/bot/echo</c> (stable across restarts).</summary>
internal sealed record SampleEndpoint(Uri BaseAddress, string EchoHash);
