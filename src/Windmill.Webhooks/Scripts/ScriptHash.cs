using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Windmill.Webhooks.Scripts;

/// <summary>
/// The identity of one immutable script version: a 64-bit integer written, as Windmill writes it,
/// as 16 lowercase hex characters of its big-endian two's-complement bytes.
/// </summary>
public readonly record struct ScriptHash(long Value)
{
    /// <summary>Parses exactly 16 hex characters; anything else is rejected.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out ScriptHash hash)
    {
        hash = default;
        if (text is null || text.Length != 16)
        {
            return false;
        }

        if (!ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var bits))
        {
            return false;
        }

        hash = new ScriptHash(unchecked((long)bits));
        return true;
    }

    /// <summary>Derives a hash from the first eight bytes of a digest.</summary>
    public static ScriptHash FromDigest(ReadOnlySpan<byte> digest) =>
        new(BinaryPrimitives.ReadInt64BigEndian(digest));

    /// <summary>The hash of a version's identity: the first eight bytes of the SHA-256 of its UTF-8 text, so processes sharing a store agree.</summary>
    internal static ScriptHash Of(string identity) => FromDigest(SHA256.HashData(Encoding.UTF8.GetBytes(identity)));

    /// <inheritdoc />
    public override string ToString() => unchecked((ulong)Value).ToString("x16", CultureInfo.InvariantCulture);
}
