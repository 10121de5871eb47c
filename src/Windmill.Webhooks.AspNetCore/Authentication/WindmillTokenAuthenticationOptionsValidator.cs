using Microsoft.Extensions.Options;
using Windmill.Webhooks.Configuration;

namespace Windmill.Webhooks.AspNetCore.Authentication;

/// <summary>Refuses, at start, values of the <c>WindmillToken</c> scheme's options that it cannot work with.</summary>
internal sealed class WindmillTokenAuthenticationOptionsValidator(IEnumerable<WindmillConfigurationPath> bound)
    : IValidateOptions<WindmillTokenAuthenticationOptions>
{
    /// <summary>The subsection of the Windmill section that these options bind from.</summary>
    public const string Section = "Authentication";

    public ValidateOptionsResult Validate(string? name, WindmillTokenAuthenticationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (name != WindmillTokenDefaults.AuthenticationScheme)
        {
            return ValidateOptionsResult.Skip;
        }

        var path = WindmillConfigurationPath.Of(bound);
        var check = new OptionsFailures(path.Length == 0 ? Section : $"{path}:{Section}");
        check.Require(options.MaxFailedAttempts >= 0, nameof(options.MaxFailedAttempts), "must be 0 (no limit) or more", options.MaxFailedAttempts);
        check.Positive(nameof(options.FailedAttemptWindow), options.FailedAttemptWindow);
        check.Require(options.MapHostUser is not null, nameof(options.MapHostUser), "must be set", null);
        return check.Result;
    }
}
