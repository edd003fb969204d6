using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace HeadShotEvents.Simulator.Outputs;

/// <summary>
/// A small real PNG, so whatever downloads an output (an archiver, a test) meets a file that
/// decodes rather than a stub. Written by hand: no imaging package for one gradient.
/// </summary>
internal static class PlaceholderPng
{
    private const int Size = 64;
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    // Declared before Image: static initialisers run in text order, and Image needs the table.
    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++)
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <summary>A 64×64 RGB gradient, encoded once.</summary>
    public static byte[] Image { get; } = Encode(Size, Size);

    public static byte[] Encode(int width, int height)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bits per sample
        header[9] = 2; // colour type: RGB
        // compression, filter and interlace methods stay 0: deflate, adaptive, none

        using var png = new MemoryStream();
        png.Write(Signature);
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", Deflate(Scanlines(width, height)));
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>Each row: filter type 0 (none), then red rising left to right, green top to bottom.</summary>
    private static byte[] Scanlines(int width, int height)
    {
        var stride = 1 + width * 3;
        var pixels = new byte[height * stride];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var at = y * stride + 1 + x * 3;
                pixels[at] = (byte)(x * 255 / Math.Max(1, width - 1));
                pixels[at + 1] = (byte)(y * 255 / Math.Max(1, height - 1));
                pixels[at + 2] = 160;
            }
        }
        return pixels;
    }

    private static byte[] Deflate(byte[] data)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal))
            zlib.Write(data);
        return compressed.ToArray();
    }

    private static void WriteChunk(Stream png, string type, byte[] data)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        png.Write(number);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(number, Crc32(typeAndData));
        png.Write(number);
    }

    /// <summary>The CRC-32 of the PNG specification (ISO 3309), over a chunk's type and data.</summary>
    internal static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }
}
