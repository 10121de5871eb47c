namespace Windmill.Webhooks.Bench.HangfireHost;

/// <summary>The job Hangfire runs.</summary>
public static class BenchJobs
{
    private static long _completed;

    /// <summary>How many jobs have run in this process.</summary>
    public static long Completed => Interlocked.Read(ref _completed);

    /// <summary>Does nothing with its args.</summary>
    public static void Noop(string args)
    {
        ArgumentNullException.ThrowIfNull(args);
        Interlocked.Increment(ref _completed);
    }
}
