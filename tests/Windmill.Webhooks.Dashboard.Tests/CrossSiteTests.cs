using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Windmill.Webhooks.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Windmill.Webhooks.Dashboard.Tests;

/// <summary>
/// Forged requests from another site, in a real browser, while the victim is signed in: an auto-submitted
/// form, fetches with and without the CSRF header, and a top-level navigation carrying a SameSite=Lax
/// cookie (as a host's own cookie might be), which only the server's header rule stops. None runs a job.
/// </summary>
public sealed class CrossSiteTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task A_forged_cross_site_form_post_is_refused_and_runs_nothing()
    {
        var marker = Guid.NewGuid().ToString("N");
        var page = await SignedInPageAsync(DashboardFixture.AdminToken);
        using var attacker = new AttackerSite($"""
            <form method="post" action="{Fixture.Origin}/api/w/demo/jobs/run/p/u/bot/echo"><input name="forged" value="{marker}"></form>
            <script>document.forms[0].submit()</script>
            """);

        await page.GotoAsync(attacker.Url);
        await page.WaitForURLAsync($"{Fixture.Origin}/api/w/demo/jobs/run/p/u/bot/echo");

        await Expect(page.Locator("body")).ToHaveTextAsync("Not authorized: Unauthorized");
        Assert.False(await JobWithMarkerExistsAsync(marker));
    }

    [Fact]
    public async Task Forged_cross_site_fetches_with_or_without_the_header_run_nothing()
    {
        var marker = Guid.NewGuid().ToString("N");
        var page = await SignedInPageAsync(DashboardFixture.AdminToken);
        var run = $"{Fixture.Origin}/api/w/demo/jobs/run/p/u/bot/echo";
        using var attacker = new AttackerSite($$"""
            <script>
            const body = JSON.stringify({ forged: "{{marker}}" });
            window.outcome = Promise.allSettled([
              fetch("{{run}}", { method: "POST", mode: "no-cors", credentials: "include", headers: { "Content-Type": "text/plain" }, body }),
              fetch("{{run}}", { method: "POST", credentials: "include", headers: { "Content-Type": "application/json", "X-Windmill-Csrf": "1" }, body }),
              fetch("{{Fixture.Origin}}/windmill/session", { method: "DELETE", credentials: "include" }),
            ]).then(results => results.map(r => r.status));
            </script>
            """);

        await page.GotoAsync(attacker.Url);
        var outcomes = await page.EvaluateAsync<string[]>("window.outcome");

        // The no-cors call goes out (without the Strict cookie; its answer is opaque); the others die in their CORS preflight.
        Assert.Equal(["fulfilled", "rejected", "rejected"], outcomes);
        Assert.False(await JobWithMarkerExistsAsync(marker));
        Assert.Single(await page.Context.CookiesAsync());
    }

    [Fact]
    public async Task A_cross_site_navigation_that_carries_a_lax_cookie_is_refused_by_the_server()
    {
        var marker = Guid.NewGuid().ToString("N");
        var page = await NewPageAsync();
        await page.Context.AddCookiesAsync([new Cookie
        {
            Name = "token", Value = DashboardFixture.AdminToken, Url = Fixture.Origin, SameSite = SameSiteAttribute.Lax, HttpOnly = true,
        }]);
        var payload = Uri.EscapeDataString(Convert.ToBase64String(Encoding.UTF8.GetBytes($$"""{"forged":"{{marker}}"}""")));
        var target = $"{Fixture.Origin}/api/w/demo/jobs/run_wait_result/p/u/bot/echo?payload={payload}";
        using var attacker = new AttackerSite($"""<script>location.href = "{target}";</script>""");

        await page.GotoAsync(attacker.Url);
        await page.WaitForURLAsync(target);

        await Expect(page.Locator("body")).ToHaveTextAsync(
            "Not authorized: a cookie authenticates only same-origin requests that send the header X-Windmill-Csrf");
        Assert.False(await JobWithMarkerExistsAsync(marker));
    }

    private async Task<bool> JobWithMarkerExistsAsync(string marker)
    {
        using var jobs = JsonDocument.Parse(await Fixture.Api.GetStringAsync("/api/w/demo/jobs/list?script_path_exact=u/bot/echo&include_args=true"));
        return jobs.RootElement.EnumerateArray().Any(job =>
            job.TryGetProperty("args", out var args) && args.ToString().Contains(marker, StringComparison.Ordinal));
    }
}
