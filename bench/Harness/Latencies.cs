using System.Diagnostics;

namespace Windmill.Webhooks.Bench.Harness;

/// <summary>Recorded latencies (Stopwatch ticks) and their summary in milliseconds.</summary>
internal sealed class Latencies
{
    private readonly List<long> _ticks = [];

    public int Count => _ticks.Count;

    public void Add(long ticks) => _ticks.Add(ticks);

    public void AddRange(Latencies other) => _ticks.AddRange(other._ticks);

    public Dictionary<string, double> Summary()
    {
        _ticks.Sort();
        double Ms(long ticks) => Math.Round(ticks * 1000.0 / Stopwatch.Frequency, 3);
        double At(double percentile) => _ticks.Count == 0 ? double.NaN
            : Ms(_ticks[Math.Clamp((int)Math.Ceiling(percentile / 100 * _ticks.Count) - 1, 0, _ticks.Count - 1)]);
        return new Dictionary<string, double>
        {
            ["p50"] = At(50),
            ["p90"] = At(90),
            ["p99"] = At(99),
            ["p999"] = At(99.9),
            ["max"] = _ticks.Count == 0 ? double.NaN : Ms(_ticks[^1]),
            ["mean"] = _ticks.Count == 0 ? double.NaN : Math.Round(_ticks.Average() * 1000.0 / Stopwatch.Frequency, 3),
        };
    }
}
