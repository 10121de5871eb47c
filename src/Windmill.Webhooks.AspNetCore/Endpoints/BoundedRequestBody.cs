using Microsoft.AspNetCore.Http;

namespace Windmill.Webhooks.AspNetCore.Endpoints;

/// <summary>
/// A request body that fails with a 413 <see cref="BadHttpRequestException"/> once more than its limit is read,
/// having asked the server for at most one byte past it. <see cref="WindmillErrorFilter"/> answers that in Windmill's format.
/// </summary>
internal sealed class BoundedRequestBody(Stream inner, long limit) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    /// <summary>The message of the 413: the body exceeds <paramref name="limit"/> bytes.</summary>
    public static string Exceeded(long limit) => $"the body exceeds {limit} bytes";

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer[..Allowed(buffer.Length)]));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer[..Allowed(buffer.Length)], cancellationToken).ConfigureAwait(false));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Allowed(int wanted) => (int)Math.Min(wanted, limit - _read + 1);

    private int Count(int read)
    {
        _read += read;
        return _read > limit ? throw new BadHttpRequestException(Exceeded(limit), StatusCodes.Status413PayloadTooLarge) : read;
    }
}
