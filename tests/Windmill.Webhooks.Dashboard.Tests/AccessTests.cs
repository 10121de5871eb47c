using System.Net.Http.Json;
using Microsoft.Playwright;
using Windmill.Webhooks.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Windmill.Webhooks.Dashboard.Tests;

/// <summary>A user who is not an admin, or a token with narrow scopes, sees only what the API lets them see.</summary>
public sealed class AccessTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task A_user_who_is_not_an_admin_has_no_audit_log_and_sees_only_their_own_tokens()
    {
        var page = await SignedInPageAsync(Fixture.AliceToken);

        await Expect(page.Locator("header .username")).ToHaveTextAsync("alice");
        await Expect(page.Locator("header .badge")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link))
            .ToHaveTextAsync(["Scripts", "Jobs", "Tokens"]);

        await page.GotoAsync("/windmill/audit");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("You do not have access to this. The server said: Require Admin privileges for audit logs");
        await Fixture.ScreenshotAsync(page, "audit-refused-1280");

        await page.GotoAsync("/windmill/tokens");
        var rows = page.GetByRole(AriaRole.Table).GetByRole(AriaRole.Row);
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Nth(1)).ToContainTextAsync("browser-tests");
    }

    [Fact]
    public async Task A_webhook_specific_token_signs_in_and_sees_only_what_its_scope_allows()
    {
        using var create = await Fixture.Api.PostAsJsonAsync("/api/users/tokens/create",
            new { label = "webhook-admin-sc0p", workspace_id = "demo", scopes = new[] { "jobs:run:scripts:u/bot/hello_world" } });
        create.EnsureSuccessStatusCode();
        var token = await create.Content.ReadAsStringAsync();
        var page = await SignedInPageAsync(token, "/windmill/scripts");

        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(
            "You do not have access to this. The server said: Permission denied: Required scope: scripts:read");

        // The jobs page shows whatever the API answers this token: a refusal, or the jobs it may read.
        using var jobs = new HttpRequestMessage(HttpMethod.Get, $"{Fixture.Origin}/api/w/demo/jobs/list");
        jobs.Headers.Authorization = new("Bearer", token);
        using var answer = await new HttpClient().SendAsync(jobs);
        await page.GotoAsync("/windmill/jobs");
        if (answer.StatusCode == System.Net.HttpStatusCode.Forbidden)
        {
            await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("You do not have access to this. The server said: " + await answer.Content.ReadAsStringAsync());
        }
        else
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
            await Expect(page.Locator("table, .empty")).ToBeVisibleAsync();
        }
    }
}
