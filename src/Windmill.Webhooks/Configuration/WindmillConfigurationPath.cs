namespace Windmill.Webhooks.Configuration;

/// <summary>
/// Where the options were bound from (<c>Windmill</c> unless <c>AddWindmillWebhooks(section)</c> says otherwise), so that
/// a refused value is reported by the key the operator wrote.
/// </summary>
internal sealed record WindmillConfigurationPath(string Path)
{
    public const string Default = "Windmill";

    public static string Of(IEnumerable<WindmillConfigurationPath> bound) => bound.LastOrDefault()?.Path ?? Default;
}
