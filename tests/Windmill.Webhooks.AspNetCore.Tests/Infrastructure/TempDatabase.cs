namespace Windmill.Webhooks.AspNetCore.Tests.Infrastructure;

/// <summary>A SQLite file of its own under the temp folder, deleted (with its WAL files) on dispose.</summary>
internal sealed class TempDatabase : IDisposable
{
    public TempDatabase() => Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"windmill-aspnetcore-tests-{Guid.NewGuid():N}.db");

    public string Path { get; }

    public string ConnectionString => $"Data Source={Path}";

    public void Dispose()
    {
        foreach (var file in new[] { Path, Path + "-wal", Path + "-shm", Path + "-journal" })
        {
            File.Delete(file);
        }
    }
}
