namespace Windmill.Webhooks.ClientCompatibility.Tests;

/// <summary>One running sample and one installed client, shared by every compatibility test.</summary>
public sealed class CompatibilityFixture : IAsyncLifetime
{
    private SampleProcess? _sample;
    private NodeClient? _client;

    internal SampleProcess Sample => _sample ?? throw new InvalidOperationException("not started");

    /// <summary>The installed client; the calling test is skipped where node and npm are not installed.</summary>
    internal NodeClient Client
    {
        get
        {
            Assert.SkipUnless(NodeClient.IsAvailable, "node and npm are not on PATH; the windmill-client cases need them (the raw HTTP cases still run)");
            return _client ?? throw new InvalidOperationException("not installed");
        }
    }

    public string Origin => Sample.Origin;

    public async ValueTask InitializeAsync()
    {
        var sample = SampleProcess.StartAsync();
        try
        {
            _client = NodeClient.IsAvailable ? await NodeClient.InstallAsync() : null;
        }
        finally
        {
            _sample = await sample;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_sample is not null)
        {
            await _sample.DisposeAsync();
        }
    }

    /// <summary>Calls the client as the admin.</summary>
    internal Task<ClientOutcome> CallAsync(string function, params object?[] arguments) =>
        Client.CallAsync(Origin, SampleProcess.AdminToken, function, arguments);
}

[CollectionDefinition(Name)]
public sealed class RunningSample : ICollectionFixture<CompatibilityFixture>
{
    public const string Name = "windmill-client against the running sample";
}
