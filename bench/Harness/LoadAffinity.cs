using System.Diagnostics;

namespace Windmill.Webhooks.Bench.Harness;

/// <summary>Pins the harness (the in-process load generator) to some cores for a while, as taskset does for the servers.</summary>
internal sealed class LoadAffinity : IDisposable
{
    private readonly nint _previous;

    private LoadAffinity(nint previous) => _previous = previous;

    /// <summary>Pins to <paramref name="cpus"/> (a single core number), or does nothing when it is null.</summary>
    public static LoadAffinity? Pin(string? cpus)
    {
        if (cpus is null || !OperatingSystem.IsLinux())
        {
            return null;
        }

        using var self = Process.GetCurrentProcess();
        var previous = self.ProcessorAffinity;
        self.ProcessorAffinity = (nint)(1L << int.Parse(cpus, System.Globalization.CultureInfo.InvariantCulture));
        return new LoadAffinity(previous);
    }

    public void Dispose()
    {
        if (OperatingSystem.IsLinux())
        {
            using var self = Process.GetCurrentProcess();
            self.ProcessorAffinity = _previous;
        }
    }
}
