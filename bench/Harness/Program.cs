// The bench harness.
//   run [--quick] [--bench-dir DIR] [--out FILE] [--postgres CONNECTION]   every measurement; prints one JSON line (see bench/README.md);
//        with --postgres (bench/run passes its throwaway cluster) the PostgreSQL phases too
//   load --url URL --token T [--mode closed|open] [--rate R] [--conns C] [--duration S] [--warmup S]
//        [--body JSON | --body-file F] [--expect STATUS] [--script-time]   one load run against a server of yours
using System.Globalization;
using System.Text;
using System.Text.Json;
using Windmill.Webhooks.Bench.Harness;

var command = args.FirstOrDefault() ?? "run";
var options = Options.Parse(args.Skip(1).ToArray());
switch (command)
{
    case "run":
        var results = await new Orchestrator(options.Has("quick"), options.Get("bench-dir", Directory.GetCurrentDirectory()),
            options.Has("postgres") ? options.Get("postgres") : null).RunAsync();
        var json = results.ToJsonString(new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });
        if (options.Has("out"))
        {
            await File.WriteAllTextAsync(options.Get("out"), results.ToJsonString(new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        }

        Console.WriteLine(json);
        break;
    case "load":
        var spec = new LoadSpec(
            new Uri(options.Get("url")),
            options.Get("token"),
            options.Has("body-file") ? File.ReadAllBytes(options.Get("body-file")) : Encoding.UTF8.GetBytes(options.Get("body", "{}")),
            int.Parse(options.Get("conns", "1"), CultureInfo.InvariantCulture),
            TimeSpan.FromSeconds(double.Parse(options.Get("warmup", "1"), CultureInfo.InvariantCulture)),
            TimeSpan.FromSeconds(double.Parse(options.Get("duration", "5"), CultureInfo.InvariantCulture)),
            int.Parse(options.Get("expect", "0"), CultureInfo.InvariantCulture),
            options.Has("script-time"));
        var result = options.Get("mode", "closed") == "open"
            ? await LoadGenerator.OpenAsync(spec, double.Parse(options.Get("rate"), CultureInfo.InvariantCulture))
            : await LoadGenerator.ClosedAsync(spec);
        Console.WriteLine(JsonSerializer.Serialize(result));
        break;
    default:
        Console.Error.WriteLine($"Unknown command '{command}': use run or load.");
        return 2;
}

return 0;
