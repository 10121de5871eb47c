namespace Windmill.Webhooks.Bench.Harness;

/// <summary>What one load run sends, and for how long.</summary>
internal sealed record LoadSpec(Uri Url, string Token, byte[] Body, int Connections, TimeSpan Warmup, TimeSpan Duration,
    int ExpectedStatus, bool ScriptTime);
