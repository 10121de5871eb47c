namespace Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

/// <summary>A test class with a fresh <see cref="SampleApp"/> and an admin client per test.</summary>
public abstract class SampleAppTest : IAsyncLifetime
{
    internal SampleApp App { get; } = new();

    protected HttpClient Client { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Client = App.CreateAdminClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }
}
