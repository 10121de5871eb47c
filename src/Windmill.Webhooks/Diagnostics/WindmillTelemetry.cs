using System.Diagnostics;

namespace Windmill.Webhooks.Diagnostics;

/// <summary>
/// The names under which Windmill.Webhooks reports traces and metrics, with no dependency on the OpenTelemetry SDK:
/// turn them on with <c>tracing.AddSource(WindmillTelemetry.Name)</c> and <c>metrics.AddMeter(WindmillTelemetry.Name)</c>.
/// </summary>
public static class WindmillTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> and of the <see cref="System.Diagnostics.Metrics.Meter"/>: <c>Windmill.Webhooks</c>.</summary>
    public const string Name = "Windmill.Webhooks";

    internal static ActivitySource Source { get; } = new(Name, typeof(WindmillTelemetry).Assembly.GetName().Version?.ToString());
}
