using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Windmill.Webhooks.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Windmill.Webhooks.Dashboard.Tests;

/// <summary>
/// The flow: find <c>u/bot/hello_world</c> and its four webhook URLs, create a webhook-specific token
/// and see it once, call the webhook with it, then see the job with its result and the trigger in the audit log.
/// </summary>
public sealed partial class WebhookFlowTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task Hello_world_shows_its_four_webhook_urls_under_the_UUID_and_Result_tabs()
    {
        var hash = await HashAsync("u/bot/hello_world");
        var page = await SignedInPageAsync(DashboardFixture.AdminToken);
        await page.GetByLabel("Search scripts").FillAsync("greets");
        await Expect(page.GetByRole(AriaRole.Link)).ToContainTextAsync(["u/bot/hello_world"]);
        await page.GetByRole(AriaRole.Link, new() { Name = "u/bot/hello_world" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "u/bot/hello_world", Level = 1 })).ToBeVisibleAsync();
        var api = Fixture.Origin + "/api/w/demo/jobs";

        var uuidTab = page.GetByRole(AriaRole.Tabpanel);
        await Expect(uuidTab.Locator(".copyable .code.inline code")).ToHaveTextAsync([$"{api}/run/p/u/bot/hello_world", $"{api}/run/h/{hash}"]);
        await Fixture.ScreenshotAsync(page, "flow-script-1280");
        await Fixture.ScreenshotAsync(page, "script-viewport-1280", fullPage: false);
        await page.GetByRole(AriaRole.Tab, new() { Name = "Result" }).ClickAsync();
        var resultTab = page.GetByRole(AriaRole.Tabpanel);
        await Expect(resultTab.Locator(".copyable .code.inline code"))
            .ToHaveTextAsync([$"{api}/run_wait_result/p/u/bot/hello_world", $"{api}/run_wait_result/h/{hash}"]);
        await Expect(resultTab.Locator("pre code").First).ToHaveTextAsync(
            $"curl -X POST {api}/run_wait_result/p/u/bot/hello_world \\\n  -H \"Authorization: Bearer $TOKEN\" \\\n  -H 'Content-Type: application/json' \\\n  -d '{{\"name\":\"world\"}}'");
        Fixture.AssertNoBrowserErrors(page);
    }

    [Fact]
    public async Task A_webhook_specific_token_is_shown_once_runs_the_webhook_and_its_job_and_trigger_appear()
    {
        var page = await SignedInPageAsync(DashboardFixture.AdminToken, "/windmill/scripts/u/bot/hello_world");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create a webhook-specific token" }).ClickAsync();
        var shown = page.Locator(".created-token .copyable code");
        await Expect(shown).ToHaveTextAsync(TokenShape());
        var token = await shown.TextContentAsync() ?? "";
        await Expect(page.Locator(".created-token")).ToContainTextAsync("it is shown only this once");
        await Expect(page.GetByRole(AriaRole.Tabpanel).Locator("pre code").First).ToContainTextAsync($"Authorization: Bearer {token}");
        await Fixture.ScreenshotAsync(page, "flow-token-created-1280");

        // The webhook, called as the snippet says: async, by path, token in the query.
        using var call = await new HttpClient().PostAsync($"{Fixture.Origin}/api/w/demo/jobs/run/p/u/bot/hello_world?token={token}",
            new StringContent("""{"name":"Dashboard"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, call.StatusCode);
        var jobId = await call.Content.ReadAsStringAsync();

        // Shown once: gone after a reload, and nowhere on the tokens page.
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Webhooks" })).ToBeVisibleAsync();
        Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Link, new() { Name = "Tokens" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = token[..10] + "…" })).ToBeVisibleAsync();
        Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal);

        // The job, with its result.
        await page.GetByRole(AriaRole.Link, new() { Name = "Jobs", Exact = true }).ClickAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = $"Job {jobId}" }) });
        await Expect(row).ToContainTextAsync("u/bot/hello_world");
        await Expect(row).ToContainTextAsync("success");
        await Expect(row).ToContainTextAsync(WebhookLabel());
        await Fixture.ScreenshotAsync(page, "flow-jobs-1280");
        await row.GetByRole(AriaRole.Link, new() { Name = $"Job {jobId}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Result" })).ToContainTextAsync("\"Hello, Dashboard!\"");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Args" })).ToContainTextAsync("\"name\": \"Dashboard\"");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Details" })).ToContainTextAsync("webhook");
        await Fixture.ScreenshotAsync(page, "flow-job-1280");

        // The trigger, in the audit log.
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit logs" }).ClickAsync();
        await page.GetByLabel("Operation").FillAsync("jobs.run.script");
        await page.GetByLabel("Resource").FillAsync("u/bot/hello_world");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        var entry = page.GetByRole(AriaRole.Row).Filter(new() { HasText = jobId });
        await Expect(entry).ToContainTextAsync("jobs.run.script");
        await Expect(entry).ToContainTextAsync("Execute");
        Assert.Contains("operation=jobs.run.script", page.Url, StringComparison.Ordinal);
        await Fixture.ScreenshotAsync(page, "flow-audit-1280");
    }

    [Fact]
    public async Task The_run_form_runs_sync_and_async_and_shows_results_and_errors()
    {
        var page = await SignedInPageAsync(DashboardFixture.AdminToken, "/windmill/scripts/u/bot/hello_world");
        var run = page.GetByRole(AriaRole.Region, new() { Name = "Run" });
        await Expect(run.GetByLabel("name")).ToHaveValueAsync("world");

        await run.GetByLabel("name").FillAsync("Ada");
        await run.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        await Expect(run.Locator(".run-result")).ToContainTextAsync("\"Hello, Ada!\"");

        await run.GetByLabel("Start a job and follow it (async)").CheckAsync();
        await run.GetByLabel("name").FillAsync("Grace");
        await run.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        await Expect(run.Locator(".run-result")).ToContainTextAsync("finished.");
        await Expect(run.Locator(".run-result")).ToContainTextAsync("\"Hello, Grace!\"");

        await page.GotoAsync("/windmill/scripts/u/bot/fail");
        await page.GetByLabel("message").FillAsync("disk on fire");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        await Expect(page.Locator(".run-result")).ToContainTextAsync("failure");
        await Expect(page.Locator(".run-result")).ToContainTextAsync("\"message\": \"disk on fire\"");
        Fixture.AssertNoBrowserErrors(page);
    }

    [Fact]
    public async Task The_details_page_lists_the_versions_with_their_hashes()
    {
        var hash = await HashAsync("u/bot/echo");
        var page = await SignedInPageAsync(DashboardFixture.AdminToken, "/windmill/scripts/u/bot/echo");

        var versions = page.GetByRole(AriaRole.Region, new() { Name = "Versions" });

        await Expect(versions.GetByRole(AriaRole.Row).Nth(1)).ToContainTextAsync(hash);
        await Expect(versions.GetByRole(AriaRole.Row).Nth(1)).ToContainTextAsync("current");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Run" }).GetByLabel("Args (a JSON object)")).ToHaveValueAsync("{}");
    }

    private async Task<string> HashAsync(string path)
    {
        using var script = JsonDocument.Parse(await Fixture.Api.GetStringAsync($"/api/w/demo/scripts/get/p/{path}"));
        return script.RootElement.GetProperty("hash").GetString()!;
    }

    [GeneratedRegex("^[A-Za-z0-9]{32}$")]
    private static partial Regex TokenShape();

    [GeneratedRegex("webhook-admin-[A-Za-z0-9]{4}")]
    private static partial Regex WebhookLabel();
}
