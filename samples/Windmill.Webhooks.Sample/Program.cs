using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Windmill.Webhooks.Diagnostics;
using Windmill.Webhooks.Sample;

var builder = WebApplication.CreateBuilder(args);

// Stores u/bot/greet_ts on the first start, before the flows registered below are deployed: f/examples/greet calls it.
builder.Services.AddHostedService<StoredScriptSeeder>();

builder.Services
    .AddWindmillWebhooks(builder.Configuration.GetSection("Windmill"))
    .UseSqlite(builder.Configuration.GetConnectionString("Windmill") ?? "Data Source=windmill.db")
    .AddSampleScripts()
    .AddSampleFlows()
    .AddJavaScript();

// `Telemetry:Console=true` (env Telemetry__Console=true) prints the library's traces and metrics to the console.
if (builder.Configuration.GetValue<bool>("Telemetry:Console"))
{
    builder.Services.AddOpenTelemetry()
        .WithTracing(tracing => tracing.AddSource(WindmillTelemetry.Name, "Microsoft.AspNetCore").AddConsoleExporter())
        .WithMetrics(metrics => metrics.AddMeter(WindmillTelemetry.Name).AddConsoleExporter());
}

builder.Services.AddHealthChecks().AddWindmillWebhooks();
builder.Services.AddOpenApi();
builder.Services.AddHostedService<AdminTokenBootstrapper>();
builder.Services.AddHostedService<WebhookUrlLogger>();

var app = builder.Build();
app.MapWindmillWebhooks();
app.MapWindmillDashboard("/windmill");
app.MapHealthChecks("/healthz");
app.MapOpenApi();
app.MapGet("/", () => Results.Redirect("/windmill")).ExcludeFromDescription();
app.Run();

/// <summary>The sample's entry point, visible to <c>WebApplicationFactory</c> in the tests.</summary>
public partial class Program;
