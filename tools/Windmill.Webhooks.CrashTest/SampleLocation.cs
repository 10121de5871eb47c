using System.Reflection;

namespace Windmill.Webhooks.CrashTest;

/// <summary>Where the built sample is, and the <c>dotnet</c> host that runs it.</summary>
internal sealed record SampleLocation(string DotnetHost, string AssemblyPath)
{
    private const string SampleAssembly = "Windmill.Webhooks.Sample.dll";

    /// <summary>
    /// <paramref name="explicitPath"/>, or the sample built in the same configuration as this code, found by walking up
    /// from this code's folder to the repository root (the folder holding <c>Windmill.Webhooks.sln</c>).
    /// </summary>
    public static SampleLocation Find(string? explicitPath)
    {
        var path = explicitPath ?? FindInRepository();
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The built sample is not at {path}. Build it (dotnet build samples/Windmill.Webhooks.Sample) or pass --sample <path to {SampleAssembly}>.", path);
        }

        return new SampleLocation(FindDotnetHost(), Path.GetFullPath(path));
    }

    private static string FindInRepository()
    {
        // This code runs from <project>/bin/<Configuration>/<TargetFramework>/; the sample's output has the same shape.
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var targetFramework = here.Name;
        var configuration = typeof(SampleLocation).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        for (var folder = here; folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Windmill.Webhooks.sln")))
            {
                return Path.Combine(folder.FullName, "samples", "Windmill.Webhooks.Sample", "bin", configuration, targetFramework, SampleAssembly);
            }
        }

        throw new DirectoryNotFoundException($"No Windmill.Webhooks.sln above {here.FullName}; pass --sample <path to {SampleAssembly}>.");
    }

    // The host running this code when it is dotnet itself; else the one the SDK names; else the one on PATH.
    private static string FindDotnetHost()
    {
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
        {
            return current;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } sdkHost ? sdkHost : "dotnet";
    }
}
