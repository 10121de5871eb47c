using System.Globalization;
using System.Text.Json.Nodes;

namespace Windmill.Webhooks.Bench.Harness;

/// <summary>What the figures were measured on.</summary>
internal static class Machine
{
    public static JsonObject Describe() => new()
    {
        ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
        ["cores"] = Environment.ProcessorCount,
        ["cpu"] = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim(),
        ["memoryGb"] = Math.Round(MemTotalKb() / 1024.0 / 1024.0, 1),
        ["kernel"] = File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
        ["dotnet"] = Environment.Version.ToString(),
        ["loadAverageAtStart"] = LoadAverage(),
    };

    /// <summary>The 1-minute load average: above the core count, something else was running too.</summary>
    public static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    private static long MemTotalKb() =>
        long.Parse(File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
