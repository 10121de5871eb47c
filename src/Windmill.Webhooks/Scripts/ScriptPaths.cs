using System.Buffers;

namespace Windmill.Webhooks.Scripts;

/// <summary>Validates Windmill paths: <c>u/&lt;user&gt;/&lt;name...&gt;</c> or <c>f/&lt;folder&gt;/&lt;name...&gt;</c>.</summary>
public static class ScriptPaths
{
    /// <summary>The longest path accepted.</summary>
    public const int MaxLength = 255;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.");

    /// <summary>Whether <paramref name="path"/> is a well-formed script or flow path.</summary>
    public static bool IsValid(string? path)
    {
        if (string.IsNullOrEmpty(path) || path.Length > MaxLength || !(path.StartsWith("u/", StringComparison.Ordinal) || path.StartsWith("f/", StringComparison.Ordinal)))
        {
            return false;
        }

        var segments = path.Split('/');
        return segments.Length >= 3 && segments.All(s => s.Length > 0 && s != "." && s != ".." && !s.AsSpan().ContainsAnyExcept(Allowed));
    }
}
