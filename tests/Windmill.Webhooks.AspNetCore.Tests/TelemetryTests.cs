using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Windmill.Webhooks.AspNetCore.Authentication;
using Windmill.Webhooks.AspNetCore.Tests.Infrastructure;
using Windmill.Webhooks.Diagnostics;

namespace Windmill.Webhooks.AspNetCore.Tests;

/// <summary>
/// What an OpenTelemetry host sees of a webhook once it adds the <c>Windmill.Webhooks</c> source and meter. The class
/// runs alone: listeners are process-wide, and other hosts' requests would count in the same instruments.
/// </summary>
[Collection(nameof(TelemetryRunsAlone))]
public sealed class TelemetryTests : IAsyncLifetime
{
    private const string AdminToken = "telemetry-admin-token-0123456789";
    private readonly List<Activity> _spans = [];
    private readonly List<Metric> _metrics = [];
    private TracerProvider _tracing = null!;
    private MeterProvider _metering = null!;
    private WebApplication _app = null!;

    [Fact]
    public async Task A_sync_webhook_is_a_span_around_its_enqueue_and_its_wait_is_measured()
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/w/demo/jobs/run_wait_result/p/u/test/echo", AdminToken, """{"n":1}""");
        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, """{"n":1}""");
        await _app.StopAsync(); // the job's run span ends before the host stops
        _tracing.ForceFlush();
        _metering.ForceFlush();

        var webhook = Assert.Single(_spans, s => s.OperationName == "webhook run_wait_result");
        var enqueue = Assert.Single(_spans, s => s.OperationName == "enqueue");
        var run = Assert.Single(_spans, s => s.OperationName == "run");
        Assert.Equal(("demo", "u/test/echo"), (webhook.GetTagItem("windmill.workspace"), webhook.GetTagItem("windmill.runnable.path")));
        Assert.Equal((webhook.TraceId, webhook.SpanId), (enqueue.TraceId, enqueue.ParentSpanId));
        Assert.Equal(enqueue.GetTagItem("windmill.job.id"), webhook.GetTagItem("windmill.job.id"));
        Assert.Equal(enqueue.SpanId, Assert.Single(run.Links).Context.SpanId);
        var wait = Assert.Single(Points("windmill.sync_wait.duration"));
        Assert.Equal((1L, "completed"), (wait.GetHistogramCount(), Tag(wait, "windmill.sync_wait.outcome")));
    }

    [Fact]
    public async Task A_flow_steps_run_spans_are_children_of_the_flows_run_span()
    {
        using var created = await SendAsync(HttpMethod.Post, "/api/w/demo/flows/create", AdminToken,
            """
            {"path": "f/t/traced", "summary": "", "value": {"modules": [{"id": "a", "value": {"type": "script", "path": "u/test/echo", "input_transforms": {}}},
              {"id": "b", "value": {"type": "script", "path": "u/test/echo", "input_transforms": {}}}]}}
            """);
        using var response = await SendAsync(HttpMethod.Post, "/api/w/demo/jobs/run_wait_result/f/f/t/traced", AdminToken, "{}");
        await Wire.AssertAsync(response, HttpStatusCode.OK, Wire.Json, "{}");
        await _app.StopAsync();
        _tracing.ForceFlush();

        var runs = _spans.Where(s => s.OperationName == "run").ToList();
        var flowRuns = runs.Where(s => (string?)s.GetTagItem("windmill.job.kind") == "flow").ToList();
        var steps = runs.Where(s => (string?)s.GetTagItem("windmill.job.kind") == "script").ToList();
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(3, flowRuns.Count); // the flow runs once to start each step, and once to finish
        Assert.Equal(2, steps.Count);
        Assert.All(steps, step => Assert.Contains(flowRuns, flow => flow.SpanId == step.ParentSpanId && flow.TraceId == step.TraceId));
    }

    [Fact]
    public async Task Refused_tokens_and_the_429s_past_the_limit_are_counted()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await SendAsync(HttpMethod.Get, "/api/w/demo/jobs/list", "not-a-token-of-this-instance", body: null);
            statuses.Add(response.StatusCode);
        }

        _metering.ForceFlush();

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(2, Points("windmill.authentication.failures").Sum(p => p.GetSumLong()));
        var limited = Assert.Single(Points("windmill.requests.rate_limited"));
        Assert.Equal((1L, "failed_authentications"), (limited.GetSumLong(), Tag(limited, "windmill.rate_limit.reason")));
    }

    public async ValueTask InitializeAsync()
    {
        _tracing = Sdk.CreateTracerProviderBuilder().AddSource(WindmillTelemetry.Name).AddInMemoryExporter(_spans).Build();
        _metering = Sdk.CreateMeterProviderBuilder().AddMeter(WindmillTelemetry.Name).AddInMemoryExporter(_metrics).Build();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services
            .AddWindmillWebhooks(options => options.AdminToken = AdminToken)
            .UseInMemoryStores()
            .AddScript("u/test/echo", (Windmill.Webhooks.Execution.ScriptContext context) => context.Args);
        builder.Services.Configure<WindmillTokenAuthenticationOptions>(WindmillTokenDefaults.AuthenticationScheme, o => o.MaxFailedAttempts = 2);
        builder.Services.AddTransient<IStartupFilter, ClientAddress>();
        _app = builder.Build();
        _app.MapWindmillWebhooks();
        await _app.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _tracing.Dispose();
        _metering.Dispose();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, string? body)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = Wire.JsonBody(body);
        }

        return await _app.GetTestClient().SendAsync(request);
    }

    private List<MetricPoint> Points(string name)
    {
        var points = new List<MetricPoint>();
        foreach (var metric in _metrics.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                points.Add(point);
            }
        }

        return points;
    }

    private static object? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value;
            }
        }

        return null;
    }
}

/// <summary>The README's two lines turn the source and the meter on in a host that uses the OpenTelemetry SDK.</summary>
[Collection(nameof(TelemetryRunsAlone))]
public sealed class TelemetryReadmeTests
{
    [Fact]
    public async Task The_readme_lines_turn_on_the_source_and_the_meter()
    {
        using var source = new ActivitySource(WindmillTelemetry.Name);
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddWindmillWebhooks().UseInMemoryStores();
        // README: telemetry
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(WindmillTelemetry.Name, "Microsoft.AspNetCore"))
            .WithMetrics(metrics => metrics.AddMeter(WindmillTelemetry.Name));
        // README: end
        var listenedBefore = source.HasListeners();
        await using var app = builder.Build();
        await app.StartAsync();

        Assert.False(listenedBefore);
        Assert.True(source.HasListeners());
        Assert.NotNull(app.Services.GetService<MeterProvider>());
    }
}

/// <summary>Gives requests a client address (the test server has none) before authentication reads it.</summary>
internal sealed class ClientAddress : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, inner) =>
        {
            context.Connection.RemoteIpAddress = IPAddress.Parse("10.0.0.7");
            return inner(context);
        });
        next(app);
    };
}

[CollectionDefinition(nameof(TelemetryRunsAlone), DisableParallelization = true)]
public sealed class TelemetryRunsAlone;
