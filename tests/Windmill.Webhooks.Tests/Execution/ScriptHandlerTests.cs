using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Windmill.Webhooks.Execution;
using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Tests.Execution;

public sealed class ScriptHandlerTests
{
    private static readonly JsonSerializerOptions Json = new WindmillWebhooksOptions().SerializerOptions;

    public sealed record Order(string Id, int Quantity);

    public sealed class Greeter(string salutation)
    {
        public string Greet(string name) => $"{salutation} {name}";
    }

    [Fact]
    public async Task Args_bind_by_name_with_defaults()
    {
        var handler = Create((string name = "world", int times = 1) => string.Concat(Enumerable.Repeat(name, times)));

        Assert.Equal("\"world\"", await RunAsync(handler, "{}"));
        Assert.Equal("\"abab\"", await RunAsync(handler, """{"name":"ab","times":2}"""));
    }

    [Fact]
    public async Task Nullable_args_are_null_when_missing_and_records_deserialize()
    {
        var handler = Create((Order order, string? note, int? count) => new { order.Id, order.Quantity, note, count });

        Assert.Equal("""{"id":"A1","quantity":3,"note":null,"count":null}""", await RunAsync(handler, """{"order":{"id":"A1","quantity":3}}"""));
    }

    [Fact]
    public async Task Missing_required_arg_fails_with_a_clear_message()
    {
        var handler = Create((string message) => message);

        var error = await Assert.ThrowsAsync<ScriptArgumentException>(() => RunAsync(handler, "{}"));

        Assert.Equal("Missing required argument 'message' of type String.", error.Message);
    }

    [Fact]
    public async Task Arg_of_the_wrong_type_fails_with_a_clear_message()
    {
        var handler = Create((int ms) => ms);

        var error = await Assert.ThrowsAsync<ScriptArgumentException>(() => RunAsync(handler, """{"ms":"soon"}"""));

        Assert.StartsWith("Argument 'ms' is not a valid Int32:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Context_cancellation_token_and_services_are_injected()
    {
        var services = new ServiceCollection().AddSingleton(new Greeter("Hi")).BuildServiceProvider();
        using var cancel = new CancellationTokenSource();
        var handler = Create((Greeter greeter, ScriptContext context, CancellationToken token, string name) =>
            new { greeting = greeter.Greet(name), path = context.ScriptPath, job = context.JobId, canCancel = token.CanBeCanceled }, services);

        var result = await RunAsync(handler, """{"name":"Ann"}""", services, cancel.Token);

        Assert.Equal("""{"greeting":"Hi Ann","path":"u/bot/test","job":"01900000-0000-7000-8000-000000000000","canCancel":true}""", result);
    }

    [Fact]
    public async Task Async_handlers_are_awaited_and_void_ones_return_null()
    {
        Assert.Equal("7", await RunAsync(Create(async (int x) => { await Task.Yield(); return x; }), """{"x":7}"""));
        Assert.Equal("8", await RunAsync(Create((int x) => ValueTask.FromResult(x + 1)), """{"x":7}"""));
        Assert.Equal("null", await RunAsync(Create(async () => await Task.Yield()), "{}"));
        Assert.Equal("null", await RunAsync(Create(() => { }), "{}"));
    }

    [Fact]
    public async Task Exceptions_thrown_by_the_handler_surface_unwrapped()
    {
        var handler = Create(Throw);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RunAsync(handler, "{}"));
        Assert.Equal("boom", error.Message);

        static int Throw() => throw new InvalidOperationException("boom");
    }

    [Fact]
    public void Schema_describes_the_args_only_with_defaults_and_required()
    {
        var handler = Create((string message, CancellationToken token, int count = 2, string? note = null) => message);

        var schema = handler.Schema;

        Assert.Equal("object", schema.GetProperty("type").GetString());
        var properties = schema.GetProperty("properties");
        Assert.Equal(["message", "count", "note"], properties.EnumerateObject().Select(p => p.Name));
        Assert.Equal("string", properties.GetProperty("message").GetProperty("type").GetString());
        Assert.Equal(2, properties.GetProperty("count").GetProperty("default").GetInt32());
        Assert.Equal(["message"], schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("main(String message, Int32 count = 2, String note = null)", handler.Signature);
    }

    private static ScriptHandler Create(Delegate handler, IServiceProvider? services = null) =>
        ScriptHandler.Create(handler, Json, (services ?? new ServiceCollection().BuildServiceProvider()).GetService<IServiceProviderIsService>());

    private static async Task<string> RunAsync(ScriptHandler handler, string args, IServiceProvider? services = null, CancellationToken cancellationToken = default)
    {
        var context = new ScriptContext(Guid.Parse("01900000-0000-7000-8000-000000000000"), "demo", "u/bot/test", new ScriptHash(1), "alice", "u/alice",
            JsonDocument.Parse(args).RootElement, NullLogger.Instance);
        var result = await handler.InvokeAsync(context, services ?? new ServiceCollection().BuildServiceProvider(), cancellationToken);
        return result.GetRawText();
    }
}
