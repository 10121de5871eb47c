using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Windmill.Webhooks.ClientCompatibility.Tests;

/// <summary>
/// The sample app as its user runs it: its own process, <c>--urls</c> on a free loopback port, a temp
/// SQLite file in <c>ConnectionStrings__Windmill</c> and <c>Windmill__AdminToken</c> set (or, for the admin
/// token's own tests, a database that outlives the process and no admin token).
/// </summary>
internal sealed partial class SampleProcess : IAsyncDisposable
{
    public const string AdminToken = "compat-admin-token-0123456789abcdef";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly string _database;
    private readonly bool _ownsDatabase;
    private readonly ConcurrentQueue<string> _output;

    private SampleProcess(Process process, string database, bool ownsDatabase, ConcurrentQueue<string> output, string origin)
    {
        _process = process;
        _database = database;
        _ownsDatabase = ownsDatabase;
        _output = output;
        Origin = origin;
    }

    /// <summary>Where it listens, such as <c>http://127.0.0.1:41235</c>.</summary>
    public string Origin { get; }

    /// <summary>Its SQLite file, which a test may open beside it (WAL mode allows it).</summary>
    public string DatabasePath => _database;

    /// <summary>Everything it printed so far.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>A new temp path for a SQLite file.</summary>
    public static string NewDatabasePath() => Path.Combine(Path.GetTempPath(), $"windmill-compat-{Guid.NewGuid():N}.db");

    /// <summary>Deletes a SQLite file with its WAL and shared-memory files.</summary>
    public static void DeleteDatabase(string database)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(database + suffix);
        }
    }

    /// <summary>Starts the sample on a database of its own, deleted when it is disposed, with <see cref="AdminToken"/>.</summary>
    public static Task<SampleProcess> StartAsync() => StartProcessAsync(NewDatabasePath(), AdminToken, ownsDatabase: true, []);

    /// <summary>
    /// Starts the sample on <paramref name="database"/>, which is kept when it stops, with <c>Windmill__AdminToken</c>
    /// only when <paramref name="adminToken"/> is given, and <paramref name="arguments"/> on its command line.
    /// </summary>
    public static Task<SampleProcess> StartAsync(string database, string? adminToken, params string[] arguments) =>
        StartProcessAsync(database, adminToken, ownsDatabase: false, arguments);

    private static async Task<SampleProcess> StartProcessAsync(string database, string? adminToken, bool ownsDatabase, string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Windmill.Webhooks.Sample.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ConnectionStrings__Windmill"] = $"Data Source={database}";
        start.Environment.Remove("Windmill__AdminToken");
        if (adminToken is not null)
        {
            start.Environment["Windmill__AdminToken"] = adminToken;
        }

        var output = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                return;
            }

            output.Enqueue(line.Data);
            if (ListeningLine().Match(line.Data) is { Success: true } match)
            {
                listening.TrySetResult(match.Groups[1].Value);
            }
        };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                output.Enqueue(line.Data);
            }
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("the sample exited before it listened"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            return new SampleProcess(process, database, ownsDatabase, output, await listening.Task.WaitAsync(StartLimit));
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The sample did not start listening within {StartLimit}:\n{string.Join('\n', output)}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (_ownsDatabase)
        {
            DeleteDatabase(_database);
        }
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
