// The ceiling: the least an endpoint at the webhook's route can do and still be comparable. It checks the
// bearer token (SHA-256 of the presented token against a known hash), parses the JSON body, and answers
// 201 with a fresh UUID as text. No job, no storage. The webhook and the Hangfire peer are measured
// against this, in the same run.
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var token = builder.Configuration["Bench:Token"] ?? throw new InvalidOperationException("Bench:Token is required.");
var knownHash = SHA256.HashData(Encoding.UTF8.GetBytes(token));

var app = builder.Build();
app.MapPost("/api/w/{workspace}/jobs/run/p/{**path}", async (HttpContext context) =>
{
    var authorization = context.Request.Headers.Authorization.ToString();
    if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal)
        || !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(authorization[7..].Trim())), knownHash))
    {
        return Results.Text("Not authorized: Unauthorized", "text/plain; charset=utf-8", statusCode: 401);
    }

    try
    {
        using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
    }
    catch (JsonException)
    {
        return Results.Text("Bad request: invalid json", "text/plain; charset=utf-8", statusCode: 400);
    }

    return Results.Text(Guid.CreateVersion7().ToString(), "text/plain; charset=utf-8", statusCode: 201);
});
app.MapGet("/bench/ready", () => "ok");
app.Run();
