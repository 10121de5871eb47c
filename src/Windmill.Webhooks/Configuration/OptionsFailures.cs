using System.Globalization;
using Microsoft.Extensions.Options;

namespace Windmill.Webhooks.Configuration;

/// <summary>Collects what an options validator refuses, each failure naming its configuration key.</summary>
internal sealed class OptionsFailures(string path)
{
    private readonly List<string> _failures = [];

    public ValidateOptionsResult Result => _failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_failures);

    public void Require(bool valid, string name, string rule, object? value)
    {
        if (!valid)
        {
            var key = path.Length == 0 ? name : $"{path}:{name}";
            _failures.Add(string.Create(CultureInfo.InvariantCulture, $"{key} {rule}; it is {Show(value)}"));
        }
    }

    public void Positive(string name, TimeSpan value) => Require(value > TimeSpan.Zero, name, "must be a positive duration", value);

    public void NotNegative(string name, TimeSpan value) => Require(value >= TimeSpan.Zero, name, "must not be negative", value);

    private static string Show(object? value) => value switch
    {
        null => "empty",
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        string text => $"'{text}'",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "empty",
    };
}
