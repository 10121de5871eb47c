using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Windmill.Webhooks.ClientCompatibility.Tests;
using Windmill.Webhooks.Tokens;

namespace Windmill.Webhooks.Dashboard.Tests.Infrastructure;

/// <summary>
/// One running sample (its own process on a loopback port, as <c>dotnet run</c> starts it) and one chromium,
/// shared by every dashboard test. Screenshots go to <c>screenshots/</c> in the test output folder.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const int DesktopWidth = 1280;
    public const int PhoneWidth = 390;

    private readonly ConcurrentDictionary<IPage, ConcurrentQueue<string>> _browserErrors = new();
    private SampleProcess? _sample;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public string Origin => Sample.Origin;

    public static string AdminToken => SampleProcess.AdminToken;

    /// <summary>A token of <c>alice</c>, who is not an admin.</summary>
    public string AliceToken { get; private set; } = "";

    /// <summary>The API as the admin calls it from outside the browser (Bearer header).</summary>
    public HttpClient Api { get; } = new();

    internal SampleProcess Sample => _sample ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        _sample = await SampleProcess.StartAsync();
        Api.BaseAddress = new Uri(Origin);
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        AliceToken = await MintAsync("alice");
        if (Chromium.IsInstalled)
        {
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium.ExecutablePath,
                Headless = true,
                Args = Chromium.Arguments,
            });
        }

        Directory.CreateDirectory(ScreenshotFolder);
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Api.Dispose();
        if (_sample is not null)
        {
            await _sample.DisposeAsync();
        }
    }

    /// <summary>A fresh browser profile (no cookie) at the given width; the test is skipped (or, in CI, failed) without chromium.</summary>
    internal async Task<IPage> NewPageAsync(List<IBrowserContext> opened, int width = DesktopWidth, string? timezone = null)
    {
        Chromium.Require();
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Origin,
            ViewportSize = new ViewportSize { Width = width, Height = width == PhoneWidth ? 844 : 900 },
            TimezoneId = timezone,
            Locale = "en-GB",
        });
        opened.Add(context);
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        var errors = _browserErrors.GetOrAdd(page, _ => new ConcurrentQueue<string>());
        page.Console += (_, message) =>
        {
            // A refused call is the browser reporting the API's 4xx, which some tests provoke on purpose.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                errors.Enqueue(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Enqueue(error);
        return page;
    }

    /// <summary>Saves a screenshot of the whole page as a test artifact and checks the page logged no error (CSP violations included).</summary>
    public async Task ScreenshotAsync(IPage page, string name, bool fullPage = true)
    {
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = fullPage });
        AssertNoBrowserErrors(page);
    }

    public void AssertNoBrowserErrors(IPage page) =>
        Assert.Empty(_browserErrors.TryGetValue(page, out var errors) ? errors : []);

    /// <summary>Creates a token straight in the sample's SQLite file, for a user that no API call can create here.</summary>
    private async Task<string> MintAsync(string owner)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddWindmillWebhooksCore().UseSqlite($"Data Source={Sample.DatabasePath}");
        await using var provider = services.BuildServiceProvider();
        var (token, _) = await provider.GetRequiredService<TokenService>().CreateAsync(new NewTokenRequest { Owner = owner, Label = "browser-tests" }, CancellationToken.None);
        return token;
    }
}

[CollectionDefinition(Name)]
public sealed class RunningDashboard : ICollectionFixture<DashboardFixture>
{
    public const string Name = "the dashboard of the running sample, in chromium";
}
