using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Windmill.Webhooks.Bench.Harness;

/// <summary>
/// One keep-alive HTTP/1.1 connection that sends a fixed, pre-encoded request and reads the response:
/// status, and the body by Content-Length or chunked encoding. Small on purpose, so the load generator
/// costs the shared CPU as little as possible.
/// </summary>
internal sealed class HttpConnection : IDisposable
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private readonly IPEndPoint _endpoint;
    private readonly byte[] _request;
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;
    private Socket? _socket;

    public HttpConnection(IPEndPoint endpoint, byte[] request)
    {
        _endpoint = endpoint;
        _request = request;
    }

    /// <summary>Sends the request and returns the status and body (valid until the next call).</summary>
    public async ValueTask<(int Status, ReadOnlyMemory<byte> Body)> SendAsync(CancellationToken cancellationToken)
    {
        if (_socket is null)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(_endpoint, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            _socket = socket;
            _start = _end = 0;
        }

        try
        {
            await _socket.SendAsync(_request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            return await ReadResponseAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _socket?.Dispose();
        _socket = null;
    }

    private async ValueTask<(int, ReadOnlyMemory<byte>)> ReadResponseAsync(CancellationToken cancellationToken)
    {
        int headerLength;
        while ((headerLength = _buffer.AsSpan(_start, _end - _start).IndexOf(HeaderEnd)) < 0)
        {
            await FillAsync(cancellationToken).ConfigureAwait(false);
        }

        var head = Encoding.ASCII.GetString(_buffer, _start, headerLength);
        var bodyStart = _start + headerLength + HeaderEnd.Length;
        var status = int.Parse(head.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture);
        long contentLength = -1;
        var chunked = false;
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase))
            {
                contentLength = long.Parse(line.AsSpan(15).Trim(), provider: System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("transfer-encoding:", StringComparison.OrdinalIgnoreCase) && line.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                chunked = true;
            }
        }

        _start = bodyStart;
        if (chunked)
        {
            return (status, await ReadChunkedAsync(cancellationToken).ConfigureAwait(false));
        }

        var length = (int)Math.Max(0, contentLength);
        while (_end - _start < length)
        {
            await FillAsync(cancellationToken).ConfigureAwait(false);
        }

        var body = _buffer.AsMemory(_start, length);
        _start += length;
        return (status, body);
    }

    private async ValueTask<ReadOnlyMemory<byte>> ReadChunkedAsync(CancellationToken cancellationToken)
    {
        var body = new List<byte>();
        while (true)
        {
            int lineEnd;
            while ((lineEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
            {
                await FillAsync(cancellationToken).ConfigureAwait(false);
            }

            var sizeText = Encoding.ASCII.GetString(_buffer, _start, lineEnd).Split(';')[0];
            var size = Convert.ToInt32(sizeText, 16);
            _start += lineEnd + 2;
            while (_end - _start < size + 2)
            {
                await FillAsync(cancellationToken).ConfigureAwait(false);
            }

            body.AddRange(_buffer.AsSpan(_start, size));
            _start += size + 2;
            if (size == 0)
            {
                return body.ToArray();
            }
        }
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0 && _start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }

        var read = await _socket!.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            throw new IOException("The server closed the connection.");
        }

        _end += read;
    }
}
