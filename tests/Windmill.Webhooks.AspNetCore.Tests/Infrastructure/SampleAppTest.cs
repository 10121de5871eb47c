namespace Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

/// <summary>A test class with a fresh <see cref="SampleApp"/> and an admin client per test.</summary>
public abstract class SampleAppTest : IAsyncLifetime
{
    internal SampleApp App { get; } = new();

    protected HttpClient Client { get; private set; } = null!;

    public ValueTask InitializeAsync()
    {
        Client = App.CreateAdminClient();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
