using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace HeadShotEvents.Testing;

/// <summary>
/// A PNG checked the strict way: signature, every chunk's CRC, IHDR first and IEND last, and the
/// IDAT stream inflated to exactly the scanlines IHDR announces. Written independently of the
/// simulator's encoder so one cannot hide the other's mistake.
/// </summary>
public sealed record PngImage(int Width, int Height, int BitDepth, int ColorType, IReadOnlyList<string> ChunkTypes, byte[] Scanlines)
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Decodes <paramref name="png"/>; throws <see cref="InvalidDataException"/> saying what is wrong.</summary>
    public static PngImage Decode(byte[] png)
    {
        if (png.Length < Signature.Length || !png.AsSpan(0, Signature.Length).SequenceEqual(Signature))
            throw new InvalidDataException("Not a PNG: the signature is missing.");

        var types = new List<string>();
        using var idat = new MemoryStream();
        byte[]? header = null;
        var at = Signature.Length;
        while (at + 12 <= png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            if (length < 0 || at + 12 + length > png.Length)
                throw new InvalidDataException($"Chunk at byte {at} runs past the end of the file.");
            var typeAndData = png.AsSpan(at + 4, 4 + length);
            var type = Encoding.ASCII.GetString(typeAndData[..4]);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length));
            if (crc != Crc32(typeAndData))
                throw new InvalidDataException($"Chunk {type} has a wrong CRC.");
            types.Add(type);
            if (type == "IHDR")
                header = typeAndData[4..].ToArray();
            else if (type == "IDAT")
                idat.Write(typeAndData[4..]);
            at += 12 + length;
        }

        if (types.Count == 0 || types[0] != "IHDR" || header is not { Length: 13 })
            throw new InvalidDataException("The first chunk is not a 13-byte IHDR.");
        if (types[^1] != "IEND" || at != png.Length)
            throw new InvalidDataException("The file does not end with IEND.");

        var width = BinaryPrimitives.ReadInt32BigEndian(header);
        var height = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
        int bitDepth = header[8], colorType = header[9];
        var channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw new InvalidDataException($"Unknown colour type {colorType}.") };
        if (header[12] != 0)
            throw new InvalidDataException("Interlaced PNGs are not checked here.");

        var scanlines = Inflate(idat.ToArray());
        var stride = 1 + (width * channels * bitDepth + 7) / 8;
        if (scanlines.Length != height * stride)
            throw new InvalidDataException($"IDAT inflates to {scanlines.Length} bytes; {width}x{height} needs {height * stride}.");
        for (var row = 0; row < height; row++)
            if (scanlines[row * stride] > 4)
                throw new InvalidDataException($"Row {row} has unknown filter type {scanlines[row * stride]}.");

        return new PngImage(width, height, bitDepth, colorType, types, scanlines);
    }

    private static byte[] Inflate(byte[] zlib)
    {
        using var inflated = new MemoryStream();
        using (var stream = new ZLibStream(new MemoryStream(zlib), CompressionMode.Decompress))
            stream.CopyTo(inflated);
        return inflated.ToArray();
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
