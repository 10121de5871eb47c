using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.Tests.Scripts;

public sealed class ScriptHashTests
{
    [Theory]
    [InlineData(0x0a1b2c3d4e5f6789L, "0a1b2c3d4e5f6789")]
    [InlineData(0L, "0000000000000000")]
    [InlineData(-123L, "ffffffffffffff85")]
    [InlineData(long.MaxValue, "7fffffffffffffff")]
    public void Is_written_as_16_lowercase_hex_of_its_twos_complement(long value, string text)
    {
        Assert.Equal(text, new ScriptHash(value).ToString());
        Assert.True(ScriptHash.TryParse(text, out var parsed));
        Assert.Equal(value, parsed.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0a1b2c3d4e5f678")]
    [InlineData("0a1b2c3d4e5f67890")]
    [InlineData("0a1b2c3d4e5f678g")]
    [InlineData("0x1b2c3d4e5f6789")]
    [InlineData("-a1b2c3d4e5f6789")]
    [InlineData(" a1b2c3d4e5f6789")]
    [InlineData(null)]
    public void Anything_but_16_hex_characters_is_rejected(string? text) =>
        Assert.False(ScriptHash.TryParse(text, out _));
}
