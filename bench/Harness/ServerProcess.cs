using System.Diagnostics;
using System.Globalization;

namespace Windmill.Webhooks.Bench.Harness;

/// <summary>A server the harness started: its output goes to a log file; its CPU time and memory are read from /proc.</summary>
internal sealed class ServerProcess : IDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly TaskCompletionSource<string> _token = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process, StreamWriter log, Uri origin)
    {
        _process = process;
        _log = log;
        Origin = origin;
    }

    /// <summary>The server's base address.</summary>
    public Uri Origin { get; }

    public int Pid => _process.Id;

    /// <summary>
    /// <c>dotnet dll args</c>, under <c>taskset -c cpus</c> when given, with output redirected. It runs in the
    /// app's own folder: ASP.NET Core watches its content root (the working directory) for configuration changes,
    /// and a database under it would have every commit read back by the file watcher.
    /// </summary>
    internal static ProcessStartInfo DotnetStartInfo(string dll, string? cpus, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(cpus is null ? "dotnet" : "taskset")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll),
        };
        if (cpus is not null)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(cpus);
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    /// <summary>Starts <c>dotnet dll args</c> (pinned to <paramref name="cpus"/> when given) and waits until <paramref name="readyPath"/> answers.</summary>
    public static async Task<ServerProcess> StartAsync(string dll, IEnumerable<string> args, int port, string readyPath, string? cpus, string logFile)
    {
        var origin = new Uri($"http://127.0.0.1:{port}");
        var start = DotnetStartInfo(dll, cpus, ["--urls", origin.ToString().TrimEnd('/'), .. args]);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var log = new StreamWriter(logFile) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {dll}.");
        var server = new ServerProcess(process, log, origin);
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Path.GetFileName(dll)} exited with {process.ExitCode}; see {logFile}.");
            }

            try
            {
                using var response = await Http.GetAsync(new Uri(origin, readyPath)).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                server.Dispose();
                throw new TimeoutException($"{Path.GetFileName(dll)} did not answer {readyPath} within 60 s; see {logFile}.");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    /// <summary>The token the server printed as <c>bench-token …</c>.</summary>
    public Task<string> TokenAsync() => _token.Task.WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>User plus system CPU time the process has used so far.</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After the command: state is field 3, utime 14 and stime 15 (1-based), in clock ticks of 1/100 s.
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    /// <summary>Resident set size now, and its peak, in bytes.</summary>
    public (long Rss, long Peak) Memory()
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts[0] == "VmRSS:")
            {
                rss = long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
            }
            else if (parts[0] == "VmHWM:")
            {
                peak = long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return (rss, peak);
    }

    public async Task<string> GetAsync(string path)
    {
        using var response = await Http.GetAsync(new Uri(Origin, path)).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync().ConfigureAwait(false);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.StartsWith("bench-token ", StringComparison.Ordinal))
        {
            _token.TrySetResult(line["bench-token ".Length..].Trim());
            line = "bench-token (hidden)";
        }

        lock (_log)
        {
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }
}
