namespace Windmill.Webhooks.CrashTest;

/// <summary>The sample's SQLite file in the work folder (the default mode).</summary>
internal sealed class SqliteCrashDatabase(string path) : ICrashDatabase
{
    public string ConnectionString => $"Data Source={path}";

    public string Description => path;

    public void InstallTransitions() => JobTransitions.Install(path);

    public Task<long> WaitUntilDrainedAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        DatabaseVerifier.WaitUntilDrainedAsync(path, timeout, cancellationToken);

    public Task<bool> WaitUntilSleepRunsInAsync(int processId, TimeSpan timeLeft, TimeSpan timeout, CancellationToken cancellationToken) =>
        DatabaseVerifier.WaitUntilSleepRunsInAsync(path, processId, timeLeft, timeout, cancellationToken);

    public DatabaseFindings Verify(Acknowledgements acknowledgements, IReadOnlyList<SampleLifetime> lifetimes) =>
        DatabaseVerifier.Verify(path, acknowledgements, lifetimes);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
