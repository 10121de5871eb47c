using Windmill.Webhooks.Sample;

var builder = WebApplication.CreateBuilder(args);

builder.Services
    .AddWindmillWebhooks(builder.Configuration.GetSection("Windmill"))
    .UseSqlite(builder.Configuration.GetConnectionString("Windmill") ?? "Data Source=windmill.db")
    .AddSampleScripts();

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
