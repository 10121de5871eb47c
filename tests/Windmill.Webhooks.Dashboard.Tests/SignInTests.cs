using System.Net;
using Microsoft.Playwright;
using Windmill.Webhooks.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Windmill.Webhooks.Dashboard.Tests;

/// <summary>Sign-in by pasting a token, sign-out, and what a signed-out visitor can see.</summary>
public sealed class SignInTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    [Theory]
    [InlineData("/windmill")]
    [InlineData("/windmill/jobs")]
    [InlineData("/windmill/tokens")]
    [InlineData("/windmill/scripts/u/bot/hello_world")]
    public async Task A_signed_out_visitor_sees_only_the_sign_in_page(string path)
    {
        var page = await NewPageAsync();

        await page.GotoAsync(path);

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Windmill" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Navigation)).ToHaveCountAsync(0);
        await Expect(page.Locator("main")).Not.ToContainTextAsync("hello_world");
        Assert.Equal("Sign in · Windmill", await page.TitleAsync());
        if (path == "/windmill")
        {
            await Fixture.ScreenshotAsync(page, "signin-1280");
        }

        Fixture.AssertNoBrowserErrors(page);
    }

    [Fact]
    public async Task A_wrong_token_is_refused_with_a_clear_message_and_no_cookie()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/windmill");

        await page.GetByLabel("API token").FillAsync("AbCdEfGhIjKlMnOpQrStUvWxYz012345");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("That token is unknown, expired, or bound to another workspace than demo.");
        Assert.Empty(await page.Context.CookiesAsync());
    }

    [Fact]
    public async Task Signing_in_sets_an_HttpOnly_SameSite_Strict_cookie_and_signing_out_clears_it()
    {
        var page = await SignedInPageAsync(DashboardFixture.AdminToken);

        var cookie = Assert.Single(await page.Context.CookiesAsync());
        Assert.Equal(("token", true, SameSiteAttribute.Strict, "/"), (cookie.Name, cookie.HttpOnly, cookie.SameSite, cookie.Path));
        Assert.Equal("", await page.EvaluateAsync<string>("document.cookie"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Scripts" })).ToBeVisibleAsync();
        await Expect(page.Locator("header")).ToContainTextAsync("admin");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Windmill" })).ToBeVisibleAsync();
        Assert.Empty(await page.Context.CookiesAsync());
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Windmill" })).ToBeVisibleAsync();
        Fixture.AssertNoBrowserErrors(page);
    }

    [Fact]
    public async Task Every_dashboard_answer_carries_a_strict_content_security_policy()
    {
        foreach (var path in new[] { "/windmill", "/windmill/jobs", "/windmill/assets/app.js", "/windmill/assets/dashboard.css" })
        {
            using var response = await Fixture.Api.GetAsync(path);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; form-action 'self'; "
                + "base-uri 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'",
                response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        }
    }
}
