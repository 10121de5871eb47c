namespace Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A safety net, not a wait: a broken library must fail the test rather than hang the suite.
/// Passing tests never reach the limit.
/// </summary>
internal static class TaskGuards
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static Task Within(this Task task) => task.WaitAsync(Limit);

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Limit);

    public static Task<T> Within<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Limit);
}
