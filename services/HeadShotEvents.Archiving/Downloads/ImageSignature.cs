using System.Buffers.Binary;

namespace HeadShotEvents.Archiving.Downloads;

/// <summary>What a download turned out to be, read from its own bytes, never from its Content-Type.</summary>
public sealed record ImageInfo(string ContentType, string Extension, int Width, int Height);

/// <summary>
/// Recognises PNG, JPEG and WebP by their signatures and reads the dimensions from their headers,
/// without decoding pixels: enough to refuse an HTML error page served as 200, or a file that only
/// claims to be an image.
/// </summary>
public static class ImageSignature
{
    private static ReadOnlySpan<byte> Png => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The image's kind and size, or null when the bytes are none of the three or the header is unreadable.</summary>
    public static ImageInfo? Inspect(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith(Png))
        {
            return ReadPng(content);
        }

        if (content.Length >= 3 && content[0] == 0xFF && content[1] == 0xD8 && content[2] == 0xFF)
        {
            return ReadJpeg(content);
        }

        if (content.Length >= 12 && content[..4].SequenceEqual("RIFF"u8) && content[8..12].SequenceEqual("WEBP"u8))
        {
            return ReadWebP(content);
        }

        return null;
    }

    private static ImageInfo? ReadPng(ReadOnlySpan<byte> content)
    {
        // The first chunk must be IHDR: length 13, then width and height as big-endian integers.
        if (content.Length < 24 || !content[12..16].SequenceEqual("IHDR"u8))
        {
            return null;
        }

        return Sized("image/png", "png", BinaryPrimitives.ReadInt32BigEndian(content[16..]), BinaryPrimitives.ReadInt32BigEndian(content[20..]));
    }

    private static ImageInfo? ReadJpeg(ReadOnlySpan<byte> content)
    {
        // Walk the marker segments to the first start-of-frame, which holds height then width.
        var at = 2;
        while (at + 4 <= content.Length)
        {
            if (content[at] != 0xFF)
            {
                return null;
            }

            var marker = content[at + 1];
            if (marker == 0xFF)
            {
                at++; // fill byte
                continue;
            }

            if (marker is 0x01 or >= 0xD0 and <= 0xD7)
            {
                at += 2; // markers without a length
                continue;
            }

            if (marker is 0xD9 or 0xDA)
            {
                return null; // end of image or scan data before any frame header
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(content[(at + 2)..]);
            if (length < 2)
            {
                return null;
            }

            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (at + 9 > content.Length)
                {
                    return null;
                }

                return Sized("image/jpeg", "jpg", BinaryPrimitives.ReadUInt16BigEndian(content[(at + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(content[(at + 5)..]));
            }

            at += 2 + length;
        }

        return null;
    }

    private static ImageInfo? ReadWebP(ReadOnlySpan<byte> content)
    {
        if (content.Length < 30)
        {
            return null;
        }

        var chunk = content[12..16];
        if (chunk.SequenceEqual("VP8 "u8))
        {
            // Lossy: a 3-byte frame tag, the start code 9D 01 2A, then 14-bit width and height.
            if (content[23] != 0x9D || content[24] != 0x01 || content[25] != 0x2A)
            {
                return null;
            }

            return Sized("image/webp", "webp", BinaryPrimitives.ReadUInt16LittleEndian(content[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(content[28..]) & 0x3FFF);
        }

        if (chunk.SequenceEqual("VP8L"u8))
        {
            // Lossless: signature 0x2F, then width-1 and height-1 in 14 bits each, little-endian.
            if (content[20] != 0x2F)
            {
                return null;
            }

            var bits = BinaryPrimitives.ReadUInt32LittleEndian(content[21..]);
            return Sized("image/webp", "webp", (int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);
        }

        if (chunk.SequenceEqual("VP8X"u8))
        {
            // Extended: canvas width-1 and height-1 as 24-bit little-endian numbers.
            return Sized("image/webp", "webp", Read24(content[24..]) + 1, Read24(content[27..]) + 1);
        }

        return null;
    }

    private static int Read24(ReadOnlySpan<byte> bytes) => bytes[0] | bytes[1] << 8 | bytes[2] << 16;

    private static ImageInfo? Sized(string contentType, string extension, int width, int height) =>
        width > 0 && height > 0 ? new ImageInfo(contentType, extension, width, height) : null;
}
