using Microsoft.Playwright;

namespace Windmill.Webhooks.Dashboard.Tests.Infrastructure;

/// <summary>A browser test: its pages live in browser profiles of their own, closed when it ends.</summary>
[Collection(RunningDashboard.Name)]
public abstract class DashboardTest(DashboardFixture fixture) : IAsyncLifetime
{
    private readonly List<IBrowserContext> _contexts = [];

    protected DashboardFixture Fixture { get; } = fixture;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>A fresh browser profile, signed out.</summary>
    protected Task<IPage> NewPageAsync(int width = DashboardFixture.DesktopWidth, string? timezone = null) =>
        Fixture.NewPageAsync(_contexts, width, timezone);

    /// <summary>Opens <paramref name="path"/> and signs in by pasting <paramref name="token"/>, as a person does.</summary>
    protected async Task<IPage> SignedInPageAsync(string token, string path = "/windmill", int width = DashboardFixture.DesktopWidth, string? timezone = null)
    {
        var page = await NewPageAsync(width, timezone);
        await page.GotoAsync(path);
        await page.GetByLabel("API token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        return page;
    }
}
