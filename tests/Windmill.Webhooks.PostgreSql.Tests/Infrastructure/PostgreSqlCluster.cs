using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Windmill.Webhooks.PostgreSql.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster of the tests' own: <c>initdb</c> into a temp folder, <c>pg_ctl start</c> on a free loopback
/// port (its Unix socket in the same folder), as the <c>postgres</c> user when the tests run as root (PostgreSQL refuses to
/// run as root). One per test process, started on first use and removed when the process exits. Each test gets a schema of
/// its own (<see cref="CreateSchemaName"/>), or a database (<see cref="CreateDatabaseAsync"/>).
/// </summary>
internal sealed class PostgreSqlCluster
{
    /// <summary>What to do on a machine without PostgreSQL; the tests skip with this.</summary>
    public const string InstallHint =
        "PostgreSQL is not installed (no initdb in PATH or /usr/lib/postgresql/*/bin); these tests need it: sudo apt-get install -y postgresql (.ci/run installs it)";

    private static readonly Lazy<Task<PostgreSqlCluster>> SharedCluster = new(() => StartAsync("shared"));
    private readonly string _folder;
    private readonly string _binaries;

    private PostgreSqlCluster(string folder, string binaries, int port)
    {
        _folder = folder;
        _binaries = binaries;
        Port = port;
    }

    /// <summary>The folder of initdb and pg_ctl, or <see langword="null"/> when PostgreSQL is not installed.</summary>
    public static string? Binaries { get; } = FindBinaries();

    /// <summary>The cluster of this test process; the calling test is skipped where PostgreSQL is not installed (failed in CI).</summary>
    public static Task<PostgreSqlCluster> Shared
    {
        get
        {
            RequireInstalled();
            return SharedCluster.Value;
        }
    }

    /// <summary>
    /// Skips the calling test where PostgreSQL is not installed, saying how to get it; fails it in CI (<c>CI=true</c>), where
    /// <c>.ci/run</c> installs it, so that CI never passes without these tests.
    /// </summary>
    public static void RequireInstalled()
    {
        if (Binaries is not null)
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(InstallHint);
        }

        Assert.Skip(InstallHint);
    }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>A connection string to <paramref name="database"/> as the superuser; small pools, as many tests run at once.</summary>
    public string ConnectionString(string database = "postgres", int maxPoolSize = 20) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Maximum Pool Size={maxPoolSize};Timeout=5;Command Timeout=30";

    /// <summary>A schema name no other test uses (the stores create it).</summary>
    public static string CreateSchemaName() => "t_" + Guid.NewGuid().ToString("N")[..20];

    /// <summary>Creates an empty database and returns its name.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "db_" + Guid.NewGuid().ToString("N")[..20];
        await using var connection = new NpgsqlConnection(ConnectionString(maxPoolSize: 2));
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return name;
    }

    /// <summary>Drops <paramref name="schema"/> and everything in it.</summary>
    public async Task DropSchemaAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(maxPoolSize: 2));
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>Stops and removes the shared cluster if this process started it (the assembly fixture calls it at the end).</summary>
    public static async Task StopSharedAsync()
    {
        if (SharedCluster.IsValueCreated && SharedCluster.Value.IsCompletedSuccessfully)
        {
            await SharedCluster.Value.Result.RemoveAsync();
        }
    }

    /// <summary>Starts a new cluster in a temp folder; it is stopped and removed at the end of the run, or when this process exits.</summary>
    public static async Task<PostgreSqlCluster> StartAsync(string name)
    {
        var binaries = Binaries ?? throw new InvalidOperationException(InstallHint);
        RemoveAbandoned();
        var folder = Directory.CreateTempSubdirectory($"windmill-pg-{name}-").FullName;
        var cluster = new PostgreSqlCluster(folder, binaries, FreePort());
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.RemoveAsync().Wait(TimeSpan.FromSeconds(30));
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", "postgres", folder);
        }

        await cluster.PgAsync("initdb", "-D", cluster.DataFolder, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions");
        await cluster.StartServerAsync();
        return cluster;
    }

    /// <summary>Starts the server (again, after <see cref="StopServerAsync"/>); returns once it accepts connections.</summary>
    public Task StartServerAsync() => PgAsync("pg_ctl", "-D", DataFolder, "-l", Path.Combine(_folder, "server.log"), "-w", "-t", "60", "-o",
        $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
        "start");

    /// <summary>Stops the server at once (connections are cut, as when it crashes or fails over).</summary>
    public Task StopServerAsync() => PgAsync("pg_ctl", "-D", DataFolder, "-m", "immediate", "-w", "stop");

    private string DataFolder => Path.Combine(_folder, "data");

    private async Task RemoveAsync()
    {
        if (!Directory.Exists(_folder))
        {
            return;
        }

        try
        {
            await PgAsync("pg_ctl", "-D", DataFolder, "-m", "immediate", "-w", "stop");
        }
#pragma warning disable CA1031 // Best effort: the folder goes either way.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        DeleteFolder(_folder);
    }

    // Folders of clusters whose test process died before removing them: no server runs there any more.
    private static void RemoveAbandoned()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), "windmill-pg-*"))
        {
            if (!File.Exists(Path.Combine(folder, "data", "postmaster.pid"))
                && Directory.GetLastWriteTimeUtc(folder) < DateTime.UtcNow.AddMinutes(-10))
            {
                DeleteFolder(folder);
            }
        }
    }

    private static void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another user's, or still in use: left for the next run.
        }
    }

    // The PostgreSQL tools refuse to run as root: run them as postgres then.
    private Task PgAsync(string tool, params string[] args) => Environment.UserName == "root"
        ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_binaries, tool), .. args])
        : RunAsync(Path.Combine(_binaries, tool), args);

    private static async Task RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }

    private static string? FindBinaries()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Where(folder => File.Exists(Path.Combine(folder, "initdb")) && File.Exists(Path.Combine(folder, "pg_ctl")))
            .Select(folder => Path.GetDirectoryName(Path.GetFullPath(ResolveLink(Path.Combine(folder, "initdb")))));
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(v => v, StringComparer.Ordinal).Select(v => Path.Combine(v, "bin"))
            : [];
        return onPath.Concat(debian).FirstOrDefault(folder => folder is not null && File.Exists(Path.Combine(folder, "initdb")) && File.Exists(Path.Combine(folder, "pg_ctl")));
    }

    // Debian links initdb into PATH; pg_ctl may only be beside the real one.
    private static string ResolveLink(string path) => new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
