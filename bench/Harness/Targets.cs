using System.Text.Json.Nodes;

namespace Windmill.Webhooks.Bench.Harness;

/// <summary>The targets, checked against the summary. Reported, never asserted: CI only checks that the bench runs.</summary>
internal static class Targets
{
    public static JsonObject Evaluate(JsonObject summary)
    {
        var targets = new JsonObject();
        void Check(string name, string figure, string comparison, double bound)
        {
            var value = summary[figure]?.GetValue<double>();
            targets[name] = new JsonObject
            {
                ["value"] = value,
                ["target"] = $"{comparison} {bound}",
                ["met"] = value is { } v && !double.IsNaN(v) && (comparison == ">=" ? v >= bound : v <= bound),
            };
        }

        Check("asyncC32Rps", "asyncC32Rps", ">=", 10_000);
        Check("asyncC32OfCeiling", "asyncC32OfCeiling", ">=", 0.25);
        Check("open5kP99Ms", "open5kP99Ms", "<=", 15);
        Check("syncNoopOverheadP50Ms", "syncNoopC1OverheadP50Ms", "<=", 1);
        Check("syncNoopOverheadP99Ms", "syncNoopC1OverheadP99Ms", "<=", 5);
        Check("asyncC32OverHangfire", "asyncC32OverHangfire", ">=", 5);
        Check("drainJobsPerSecond", "drainJobsPerSecond", ">=", 10_000);
        Check("typeScriptDrainRatio", "typeScriptDrainRatio", "<=", 2);
        Check("typeScriptSyncOverheadRatio", "typeScriptSyncOverheadRatio", "<=", 2);
        Check("flow3OverheadP50Ms", "flow3OverheadP50Ms", "<=", 5);
        // A soak shorter than a minute mostly shows start-up growth: judged in the full run only.
        if (summary["memorySoakSeconds"]?.GetValue<double>() >= 60)
        {
            Check("memorySlopeMbPerMin", "memorySlopeMbPerMin", "<=", 2);
        }
        return targets;
    }
}
