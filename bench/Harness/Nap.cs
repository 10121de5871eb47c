using System.Runtime.InteropServices;

namespace Windmill.Webhooks.Bench.Harness;

/// <summary>A sleep finer than Thread.Sleep's millisecond, for the open-loop schedule.</summary>
internal static partial class Nap
{
    public static void Microseconds(uint microseconds)
    {
        if (OperatingSystem.IsLinux())
        {
            _ = usleep(microseconds);
        }
        else
        {
            Thread.Sleep(1);
        }
    }

    [LibraryImport("libc", EntryPoint = "usleep")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int usleep(uint microseconds);
}
