namespace Windmill.Webhooks.Dashboard.Tests.Infrastructure;

/// <summary>
/// Debian's chromium, which Playwright drives here: Playwright cannot download its own browser offline.
/// Where it is missing, the browser tests are skipped with the reason, except in CI (<c>CI=true</c>), where
/// <c>.ci/run</c> installs it and its absence is a failure.
/// </summary>
internal static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static readonly string[] Arguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
    ];

    private const string Missing = $"{ExecutablePath} is not installed; the dashboard's browser tests need Debian's chromium (sudo apt-get install -y chromium; .ci/run installs it)";

    public static bool IsInstalled => File.Exists(ExecutablePath);

    /// <summary>Skips the calling test where chromium is missing, or fails it in CI.</summary>
    public static void Require()
    {
        if (IsInstalled)
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(Missing);
        }

        Assert.Skip(Missing);
    }
}
