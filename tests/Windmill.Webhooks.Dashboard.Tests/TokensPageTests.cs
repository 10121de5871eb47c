using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Windmill.Webhooks.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Windmill.Webhooks.Dashboard.Tests;

/// <summary>User settings → Tokens: create with label, expiration and scopes, see the token once, delete it.</summary>
public sealed partial class TokensPageTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task A_created_token_is_shown_once_with_a_warning_then_only_its_prefix_and_it_can_be_deleted()
    {
        var page = await SignedInPageAsync(DashboardFixture.AdminToken, "/windmill/tokens");
        await page.GetByLabel("Label").FillAsync("partner-x");
        await page.GetByLabel("Expiration").SelectOptionAsync("30 days");
        await page.GetByLabel("Scopes").FillAsync("jobs:run:scripts:u/bot/echo jobs:read");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();

        var created = page.GetByRole(AriaRole.Button, new() { Name = "Copy the new token" }).Locator("xpath=..");
        await Expect(created.Locator("code")).ToHaveTextAsync(TokenShape());
        var token = await created.Locator("code").TextContentAsync() ?? "";
        await Expect(page.Locator(".notice.success")).ToContainTextAsync("this is the only time it is shown");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "partner-x" });
        await Expect(row).ToContainTextAsync(token[..10] + "…");
        await Expect(row).ToContainTextAsync("jobs:run:scripts:u/bot/echo");
        await Expect(row).ToContainTextAsync("jobs:read");
        await Expect(row.Locator("td").Nth(4).Locator("time")).ToHaveAttributeAsync("datetime", ThirtyDaysAhead());
        await Fixture.ScreenshotAsync(page, "tokens-created-1280");

        // The token works, for what its scopes allow.
        using var echo = new HttpRequestMessage(HttpMethod.Post, $"{Fixture.Origin}/api/w/demo/jobs/run_wait_result/p/u/bot/echo")
        {
            Content = new StringContent("""{"ok":true}""", System.Text.Encoding.UTF8, "application/json"),
        };
        echo.Headers.Authorization = new("Bearer", token);
        using var answer = await new HttpClient().SendAsync(echo);
        Assert.Equal("""{"ok":true}""", await answer.Content.ReadAsStringAsync());

        await page.GetByRole(AriaRole.Button, new() { Name = "I have copied it" }).ClickAsync();
        await page.ReloadAsync();
        await Expect(row).ToBeVisibleAsync();
        Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal);

        await row.GetByRole(AriaRole.Button, new() { Name = $"Delete token partner-x {token[..10]}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("Delete this token?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete token", Exact = true }).ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        echo.Headers.Authorization = new("Bearer", token);
        using var refused = await new HttpClient().SendAsync(new HttpRequestMessage(HttpMethod.Post, echo.RequestUri) { Headers = { Authorization = new("Bearer", token) } });
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
        Fixture.AssertNoBrowserErrors(page);
    }

    [Fact]
    public async Task Keeping_a_token_in_the_dialog_deletes_nothing()
    {
        var page = await SignedInPageAsync(DashboardFixture.AdminToken, "/windmill/tokens");
        await page.GetByLabel("Label").FillAsync("keep-me");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "keep-me" });

        await row.GetByRole(AriaRole.Button).ClickAsync();
        await page.Keyboard.PressAsync("Escape");

        await Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        await page.ReloadAsync();
        await Expect(row).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task A_refused_token_request_shows_the_servers_reason()
    {
        var page = await SignedInPageAsync(DashboardFixture.AdminToken, "/windmill/tokens");

        await page.GetByLabel("Label").FillAsync("session");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Bad request: label is in a reserved namespace");
    }

    // The expiration the form sent, 30 days from now, within the minute the test ran.
    private static Regex ThirtyDaysAhead() => new("^" + Regex.Escape(DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-ddTHH", System.Globalization.CultureInfo.InvariantCulture)));

    [GeneratedRegex("^[A-Za-z0-9]{32}$")]
    private static partial Regex TokenShape();
}
