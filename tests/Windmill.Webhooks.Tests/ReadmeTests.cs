using System.Text.RegularExpressions;

namespace Windmill.Webhooks.Tests;

/// <summary>The README is a contract: its quick start and its code must stay true.</summary>
public sealed partial class ReadmeTests
{
    private static readonly string Root = FindRoot();
    private static readonly string Readme = File.ReadAllText(Path.Combine(Root, "README.md")).ReplaceLineEndings("\n");

    [Fact]
    public void Quick_start_is_exactly_the_two_commands()
    {
        var quickStart = QuickStartBlock().Match(Readme);

        Assert.True(quickStart.Success, "README has no '## Quick start' section followed by a sh block");
        Assert.Equal("dotnet run --project samples/Windmill.Webhooks.Sample\ndotnet test", quickStart.Groups["commands"].Value.Trim());
    }

    [Fact]
    public void The_add_it_to_your_app_code_is_the_compiled_minimal_sample()
    {
        var program = File.ReadAllText(Path.Combine(Root, "samples", "Windmill.Webhooks.Minimal", "Program.cs")).ReplaceLineEndings("\n");

        Assert.Contains("```csharp\n" + program + "```", Readme, StringComparison.Ordinal);
    }

    [Fact]
    public void The_rate_limit_code_is_the_one_the_http_tests_run() =>
        AssertShowsRegion(Path.Combine("tests", "Windmill.Webhooks.AspNetCore.Tests", "RateLimitTests.cs"), "per-token rate limit");

    [Fact]
    public void The_run_from_code_example_is_the_one_the_unit_tests_run() =>
        AssertShowsRegion(Path.Combine("tests", "Windmill.Webhooks.Tests", "Jobs", "JobRunsTests.cs"), "run from code");

    [Fact]
    public void The_javascript_example_is_the_one_the_javascript_tests_run() =>
        AssertShowsRegion(Path.Combine("tests", "Windmill.Webhooks.JavaScript.Tests", "ReadmeExampleTests.cs"), "javascript");

    [Fact]
    public void The_telemetry_example_is_the_one_the_http_tests_run() =>
        AssertShowsRegion(Path.Combine("tests", "Windmill.Webhooks.AspNetCore.Tests", "TelemetryTests.cs"), "telemetry");

    [Fact]
    public void Ci_runs_the_readmes_test_command()
    {
        var ci = File.ReadAllText(Path.Combine(Root, ".ci", "run"));

        Assert.Contains("\ndotnet test 2>&1", ci, StringComparison.Ordinal);
    }

    // The README shows, unindented, the code that a compiled and tested file holds between "// README: <name>" and "// README: end".
    private static void AssertShowsRegion(string file, string name)
    {
        var tested = File.ReadAllText(Path.Combine(Root, file)).ReplaceLineEndings("\n");
        var region = Regex.Match(tested, $@"\n(?<indent> *)// README: {Regex.Escape(name)}\n(?<code>.*?)\n *// README: end\n", RegexOptions.Singleline);
        var indent = region.Groups["indent"].Value;
        var code = string.Concat(region.Groups["code"].Value.Split('\n').Select(line => (line.StartsWith(indent, StringComparison.Ordinal) ? line[indent.Length..] : line) + "\n"));

        Assert.True(region.Success, $"{file} has no '// README: {name}' … '// README: end' region");
        Assert.Contains("```csharp\n" + code.TrimEnd('\n') + "\n```", Readme, StringComparison.Ordinal);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Windmill.Webhooks.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Windmill.Webhooks.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"## Quick start\n\n```sh\n(?<commands>.*?)```", RegexOptions.Singleline)]
    private static partial Regex QuickStartBlock();
}
