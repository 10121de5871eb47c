namespace Windmill.Webhooks.Sample;

/// <summary>The sample's flow, registered in code: a stored TypeScript script, inline code, and a loop over C# scripts.</summary>
internal static class SampleFlows
{
    public const string Greet = "f/examples/greet";

    public static WindmillWebhooksBuilder AddSampleFlows(this WindmillWebhooksBuilder builder) => builder
        .AddFlow(Greet, flow => flow
            .Summary("Greets someone in TypeScript, then each of their friends in C#")
            .Script("greeting", StoredScriptSeeder.Path, inputs => inputs.Expression("name", "flow_input.name ?? 'world'"))
            .RawScript("shout", "bun", "export function main(message: string): string { return message.toUpperCase(); }",
                inputs => inputs.Expression("message", "results.greeting.message"))
            .ForLoop("friends", "flow_input.friends ?? []", body => body
                .Script("hello", "u/bot/hello_world", inputs => inputs.Expression("name", "flow_input.iter.value")))
            .RawScript("answer", "javascript", "export function main(greeting, friends) { return { greeting, friends }; }",
                inputs => inputs.Expression("greeting", "results.shout").Expression("friends", "results.friends")));
}
