using Windmill.Webhooks;
using Windmill.Webhooks.Execution;

namespace Windmill.Webhooks.Sample;

/// <summary>The scripts of the <c>demo</c> workspace.</summary>
internal static class SampleScripts
{
    public static WindmillWebhooksBuilder AddSampleScripts(this WindmillWebhooksBuilder builder) => builder
        .AddScript("u/bot/hello_world", (string name = "world") => $"Hello, {name}!",
            script => script.Summary = "Greets someone")
        // Returns its input, so its custom-response fields are the caller's: the library serves them inert (no HTML,
        // no Set-Cookie) because the sample leaves AllowActiveCustomResponses off (README: "Custom responses and your origin").
        .AddScript("u/bot/echo", (ScriptContext context) => context.Args,
            script => script.Summary = "Returns the args it received")
        .AddScript("u/bot/fail", Fail,
            script => script.Summary = "Fails with the given message")
        .AddScript("u/bot/sleep", SleepAsync,
            script => script.Summary = "Waits ms milliseconds and returns ms");

    private static string Fail(string message) => throw new InvalidOperationException(message);

    private static async Task<int> SleepAsync(int ms, CancellationToken cancellationToken)
    {
        await Task.Delay(ms, cancellationToken);
        return ms;
    }
}
