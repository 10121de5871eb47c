using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Tests.Scripts;

public sealed class ScriptPathsTests
{
    [Theory]
    [InlineData("u/bot/hello_world")]
    [InlineData("f/team/etl")]
    [InlineData("f/team/sub/deep-name.v2")]
    public void Windmill_paths_are_valid(string path) => Assert.True(ScriptPaths.IsValid(path));

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("u/bot")]
    [InlineData("x/bot/hello")]
    [InlineData("u//hello")]
    [InlineData("u/bot/../admin/x")]
    [InlineData("u/bot/./x")]
    [InlineData("u/bot/he llo")]
    [InlineData("u/bot/hello\0")]
    [InlineData("u/bot/%2e%2e")]
    [InlineData("/u/bot/hello")]
    [InlineData("u/bot/hello/")]
    public void Malformed_paths_are_invalid(string path) => Assert.False(ScriptPaths.IsValid(path));

    [Fact]
    public void Very_long_paths_are_invalid() => Assert.False(ScriptPaths.IsValid("u/bot/" + new string('a', 300)));
}
