namespace Windmill.Webhooks.CrashTest;

/// <summary>Every line the sample processes print, and what the run did to them, in one file of the work folder.</summary>
internal sealed class SampleLog : IDisposable
{
    private readonly StreamWriter _writer;
    private readonly Lock _lock = new();

    public SampleLog(string path) => _writer = new StreamWriter(path, append: true) { AutoFlush = true };

    public void Write(string line)
    {
        lock (_lock)
        {
            _writer.WriteLine(line);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _writer.Dispose();
        }
    }
}
