namespace Windmill.Webhooks.CrashTest;

/// <summary>
/// <c>dotnet run --project tools/Windmill.Webhooks.CrashTest -- [--trials 50] [--processes 1|2] [--flows] [--seed 6] [--clients 6] [--sample PATH] [--work-dir DIR] [--postgres "Host=…"] [--keep]</c>.
/// <c>--flows</c>: the acknowledged work is flows (<see cref="CrashFlow"/>) instead of script runs.
/// Exits 0 when no acknowledged job was lost and every check passed, 1 otherwise, 2 on bad arguments.
/// </summary>
internal static class CrashTestProgram
{
    public static async Task<int> Main(string[] args)
    {
        var options = CrashTestOptions.Parse(args, out var error);
        if (options is null)
        {
            await Console.Error.WriteLineAsync($"{error}\nusage: Windmill.Webhooks.CrashTest [--trials N] [--processes 1|2] [--flows] [--seed N] [--clients N] [--sample PATH] [--work-dir DIR] [--postgres \"Host=...\"] [--keep]");
            return 2;
        }

        using var interrupted = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            interrupted.Cancel();
        };

        var report = await CrashTestRunner.RunAsync(options, Console.Out, interrupted.Token);
        report.WriteSummary(Console.Out);
        return report.Passed ? 0 : 1;
    }
}
