namespace Windmill.Webhooks.Bench.WindmillHost;

/// <summary>This process's resident memory, from /proc.</summary>
internal static class ProcessMemory
{
    /// <summary>(VmRSS, VmHWM) in bytes: the resident set now and its peak.</summary>
    public static (long Rss, long Peak) Read()
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line) * 1024;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line) * 1024;
            }
        }

        return (rss, peak);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
}
