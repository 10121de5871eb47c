using System.Text.Json;
using Microsoft.Playwright;
using Windmill.Webhooks.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Windmill.Webhooks.Dashboard.Tests;

/// <summary>What a person notices: every page readable at 1280 px and on a phone, every control labelled and reachable by keyboard.</summary>
public sealed class LayoutTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    // Names the controls that no label, aria-label, aria-labelledby, text or title names.
    private const string UnlabelledControls = """
        () => [...document.querySelectorAll('a[href], button, input, select, textarea, [role="tab"]')]
          .filter(e => e.getClientRects().length > 0)
          .filter(e => !(e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || (e.labels && e.labels.length) || e.textContent.trim() || e.title))
          .map(e => e.outerHTML.slice(0, 120))
        """;

    // Tags every visible control that the Tab key should reach (tabs and radio buttons other than the selected one are reached with arrows).
    private const string TagTabStops = """
        () => [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
          .filter(e => e.getClientRects().length > 0 && !e.disabled && e.tabIndex >= 0 && e.id !== 'main')
          .filter(e => !(e.type === 'radio' && !e.checked))
          .map((e, i) => { e.dataset.tabStop = String(i); return i; }).length
        """;

    [Theory]
    [InlineData(DashboardFixture.DesktopWidth, "1280")]
    [InlineData(DashboardFixture.PhoneWidth, "phone")]
    public async Task Every_page_fits_the_screen_without_sideways_scrolling(int width, string suffix)
    {
        var jobId = await AnyJobAsync();
        var page = await SignedInPageAsync(DashboardFixture.AdminToken, width: width);
        foreach (var (name, path) in Pages(jobId))
        {
            await page.GotoAsync(path);
            await Expect(page.Locator("h1")).ToBeVisibleAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

            var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");

            Assert.True(overflow <= 0, $"{path} is {overflow}px wider than a {width}px screen");
            await Fixture.ScreenshotAsync(page, $"{name}-{suffix}");
        }
    }

    [Fact]
    public async Task Every_control_is_labelled_and_reachable_with_the_tab_key()
    {
        var jobId = await AnyJobAsync();
        var page = await SignedInPageAsync(DashboardFixture.AdminToken);
        foreach (var (_, path) in Pages(jobId))
        {
            await page.GotoAsync(path);
            await Expect(page.Locator("h1")).ToBeVisibleAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

            Assert.Empty(await page.EvaluateAsync<string[]>(UnlabelledControls));
            if (await page.GetByLabel("Refresh automatically").CountAsync() > 0)
            {
                // Rows redrawn while tabbing would lose the tags below (focus itself is kept by href).
                await page.GetByLabel("Refresh automatically").UncheckAsync();
            }

            var stops = await page.EvaluateAsync<int>(TagTabStops);
            await page.EvaluateAsync("() => { window.reached = new Set(); document.addEventListener('focusin', e => e.target.dataset.tabStop && window.reached.add(e.target.dataset.tabStop)); }");
            // Date and time inputs take a Tab per field, hence the margin; checked every ten presses.
            var reached = 0;
            for (var press = 1; press <= (stops * 4) + 10 && reached < stops; press++)
            {
                await page.Keyboard.PressAsync("Tab");
                if (press % 10 == 0)
                {
                    reached = await page.EvaluateAsync<int>("window.reached.size");
                }
            }

            reached = await page.EvaluateAsync<int>("window.reached.size");
            Assert.True(reached == stops, $"{path}: the Tab key reached {reached} of {stops} controls");
        }
    }

    [Fact]
    public async Task The_webhook_tabs_follow_the_arrow_keys()
    {
        var page = await SignedInPageAsync(DashboardFixture.AdminToken, "/windmill/scripts/u/bot/hello_world");
        await page.GetByRole(AriaRole.Tab, new() { Name = "UUID" }).FocusAsync();

        await page.Keyboard.PressAsync("ArrowRight");

        await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Result" })).ToBeFocusedAsync();
        await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Result" })).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(page.GetByRole(AriaRole.Tabpanel)).ToContainTextAsync("run_wait_result");
    }

    [Fact]
    public async Task Empty_results_say_so()
    {
        var page = await SignedInPageAsync(DashboardFixture.AdminToken, "/windmill/jobs?path=u/nobody/");
        await Expect(page.Locator(".empty")).ToContainTextAsync("No jobs yet.");

        await page.GotoAsync("/windmill/scripts");
        await page.GetByLabel("Search scripts").FillAsync("no such script");
        await Expect(page.Locator(".empty")).ToContainTextAsync("No script matches “no such script”.");

        await page.GotoAsync("/windmill/audit?operation=no.such.operation");
        await Expect(page.Locator(".empty")).ToContainTextAsync("No entry matches these filters.");
        await Fixture.ScreenshotAsync(page, "audit-empty-1280");
    }

    private static (string Name, string Path)[] Pages(string jobId) =>
    [
        ("scripts", "/windmill/scripts"),
        ("script", "/windmill/scripts/u/bot/hello_world"),
        ("jobs", "/windmill/jobs"),
        ("job", $"/windmill/jobs/{jobId}"),
        ("tokens", "/windmill/tokens"),
        ("audit", "/windmill/audit"),
    ];

    private async Task<string> AnyJobAsync()
    {
        using var response = await Fixture.Api.PostAsync("/api/w/demo/jobs/run_wait_result/p/u/bot/hello_world?include_query=x", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        using var jobs = JsonDocument.Parse(await Fixture.Api.GetStringAsync("/api/w/demo/jobs/list?per_page=1&script_path_exact=u/bot/hello_world"));
        return jobs.RootElement[0].GetProperty("id").GetString()!;
    }
}
