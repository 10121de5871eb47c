using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Windmill.Webhooks.CrashTest;

/// <summary>
/// One run of the built sample as its own process, configured the documented way (environment
/// <c>ConnectionStrings__Windmill</c> and <c>Windmill__AdminToken</c>, <c>--urls</c>) on a loopback port.
/// Ready when the host logs that it started, which it does only after recovery and once it listens.
/// </summary>
internal sealed partial class SampleProcess : IDisposable
{
    private const int SigTerm = 15;
    private const string StartedLine = "Application started.";

    private readonly Process _process;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SampleLog _log;

    private SampleProcess(Process process, Uri baseAddress, SampleLog log)
    {
        _process = process;
        BaseAddress = baseAddress;
        _log = log;
    }

    /// <summary>The sample's origin, such as <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The process id, which the sample's runner puts in the owner of every job lease it holds.</summary>
    public int Id => Lifetime.ProcessId;

    /// <summary>When it was started, and (once <see cref="KillAsync"/> returned) when it was gone.</summary>
    public SampleLifetime Lifetime { get; private set; } = null!;

    /// <summary>Completes once the host has started and listens.</summary>
    public Task Started => _started.Task;

    /// <summary>Whether the process has exited (by itself, unless it was killed or stopped).</summary>
    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>Waits until the host has started; throws if the process exits first or <paramref name="timeout"/> passes.</summary>
    public async Task WaitUntilStartedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await Task.WhenAny(_started.Task, _exited.Task).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        if (!_started.Task.IsCompleted)
        {
            throw new InvalidOperationException($"The sample (pid {_process.Id}) exited with code {_process.ExitCode} before it started; see sample.log in the work folder.");
        }
    }

    public static SampleProcess Start(SampleLocation sample, string connectionString, string adminToken, SampleLog log,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{FreeLoopbackPort()}/");
        var info = new ProcessStartInfo(sample.DotnetHost)
        {
            WorkingDirectory = Path.GetDirectoryName(sample.AssemblyPath)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(sample.AssemblyPath);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(baseAddress.GetLeftPart(UriPartial.Authority));
        info.Environment["ConnectionStrings__Windmill"] = connectionString;
        info.Environment["Windmill__AdminToken"] = adminToken;
        // A killed sample's running jobs are reclaimed once their lease expires: short, so that each trial sees it happen.
        info.Environment["Windmill__JobLeaseDuration"] = "00:00:05";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var sampleProcess = new SampleProcess(process, baseAddress, log);
        process.OutputDataReceived += (_, e) => sampleProcess.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => sampleProcess.OnLine(e.Data);
        process.Exited += (_, _) => sampleProcess.OnExited();
        process.Start();
        sampleProcess.Lifetime = new SampleLifetime(process.Id, TimeProvider.System.GetUtcNow());
        log.Write($"started pid {process.Id} on {baseAddress}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return sampleProcess;
    }

    /// <summary>SIGKILL to the sample and anything it started; returns once it is gone.</summary>
    public async Task KillAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }

        await _process.WaitForExitAsync().ConfigureAwait(false);
        Lifetime = Lifetime with { KilledAt = TimeProvider.System.GetUtcNow() };
        _log.Write($"killed pid {_process.Id}");
    }

    /// <summary>SIGTERM, as a service manager stops it; true when it exits by itself within <paramref name="timeout"/>.</summary>
    public async Task<bool> TerminateAsync(TimeSpan timeout)
    {
        if (SendSignal(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}");
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            _log.Write($"pid {_process.Id} stopped on SIGTERM with exit code {_process.ExitCode}");
            return _process.ExitCode == 0;
        }
        catch (OperationCanceledException)
        {
            await KillAsync().ConfigureAwait(false);
            return false;
        }
    }

    public void Dispose() => _process.Dispose();

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _log.Write($"[pid {Id}] {line}");
        if (line.Contains(StartedLine, StringComparison.Ordinal))
        {
            _started.TrySetResult();
        }
    }

    private void OnExited() => _exited.TrySetResult();

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int processId, int signal);
}

/// <summary>One start of the sample: its process id, when it started, and when a SIGKILL had ended it (<see langword="null"/> if none did).</summary>
internal sealed record SampleLifetime(int ProcessId, DateTimeOffset StartedAt, DateTimeOffset? KilledAt = null)
{
    /// <summary>Whether it was running throughout <paramref name="at"/> (started before it, not yet killed).</summary>
    public bool WasRunningAt(DateTimeOffset at) => StartedAt <= at && (KilledAt is not { } killed || killed > at);
}
