using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Windmill.Webhooks.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Windmill.Webhooks.Dashboard.Tests;

/// <summary>A job's page (status, timing, args, result, logs, cancel) and the jobs list's refresh.</summary>
public sealed class JobPageTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task A_running_job_updates_by_itself_and_can_be_canceled()
    {
        var id = await RunAsync("u/bot/sleep", """{"ms":600000}""");
        var page = await SignedInPageAsync(DashboardFixture.AdminToken, $"/windmill/jobs/{id}");
        await Expect(page.Locator(".job-status .badge")).ToHaveTextAsync("running");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Args" })).ToContainTextAsync("\"ms\": 600000");

        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel job" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("Cancel this job?");
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cancel job" }).ClickAsync();

        await Expect(page.Locator(".job-status .badge")).ToHaveTextAsync("canceled");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Error" })).ToContainTextAsync("Job canceled: canceled from the dashboard by admin");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Cancel job" })).ToHaveCountAsync(0);
        Fixture.AssertNoBrowserErrors(page);
    }

    [Fact]
    public async Task The_jobs_list_shows_a_new_job_without_a_reload_and_its_duration()
    {
        var page = await SignedInPageAsync(DashboardFixture.AdminToken, "/windmill/jobs?path=u/bot/echo");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Jobs" })).ToBeVisibleAsync();

        var id = await RunAsync("u/bot/echo", """{"refresh":1}""");

        var row = page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = $"Job {id}" }) });
        await Expect(row).ToContainTextAsync("success", new() { Timeout = 10_000 });
        await Expect(row).ToContainTextAsync(" ms");
        await Expect(page.GetByLabel("Path starts with")).ToHaveValueAsync("u/bot/echo");
    }

    [Fact]
    public async Task Times_are_shown_in_the_viewers_time_zone()
    {
        var id = await RunAsync("u/bot/echo", "{}");
        using var job = JsonDocument.Parse(await Fixture.Api.GetStringAsync($"/api/w/demo/jobs_u/get/{id}"));
        var created = job.RootElement.GetProperty("created_at").GetDateTimeOffset();
        var auckland = TimeZoneInfo.ConvertTime(created, TimeZoneInfo.FindSystemTimeZoneById("Pacific/Auckland"));

        var page = await SignedInPageAsync(DashboardFixture.AdminToken, $"/windmill/jobs/{id}", timezone: "Pacific/Auckland");

        var shown = page.GetByRole(AriaRole.Region, new() { Name = "Details" }).Locator("dd time").First;
        // en-GB's medium date, in Auckland's time: "1 Dec 2026, 07:46:57" (month names differ between ICU and .NET).
        await Expect(shown).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(
            $"^{auckland.Day} \\w+ {auckland.Year}, {auckland.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}$"));
    }

    [Fact]
    public async Task An_unknown_job_gets_a_clear_message()
    {
        var page = await SignedInPageAsync(DashboardFixture.AdminToken, "/windmill/jobs/00000000-0000-0000-0000-000000000000");

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Not found:");
    }

    private async Task<string> RunAsync(string path, string args)
    {
        using var response = await Fixture.Api.PostAsync($"/api/w/demo/jobs/run/p/{path}", new StringContent(args, System.Text.Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }
}
