using System.Buffers.Binary;
using HeadShotEvents.Archiving.Downloads;

namespace HeadShotEvents.Archiver.Tests;

/// <summary>Images are recognised by their own bytes, and their headers give the dimensions.</summary>
public sealed class ImageSignatureTests
{
    /// <summary>The start of a PNG: signature and IHDR (CRC left zero: only the header is read).</summary>
    public static byte[] PngHeader(int width, int height)
    {
        var png = new byte[8 + 8 + 13 + 4];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(png, 0);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(8), 13);
        "IHDR"u8.CopyTo(png.AsSpan(12));
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), height);
        png[24] = 8;
        png[25] = 2;
        return png;
    }

    [Fact]
    public void A_png_is_read_from_its_IHDR()
    {
        var info = ImageSignature.Inspect(PngHeader(512, 768));
        Assert.Equal(new ImageInfo("image/png", "png", 512, 768), info);
    }

    [Fact]
    public void A_jpeg_is_read_from_its_first_frame_header_past_other_segments()
    {
        byte[] jpeg =
        [
            0xFF, 0xD8,                                     // SOI
            0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, // APP0
            0xFF, 0xDB, 0x00, 0x04, 0x00, 0x00,             // a (truncated) quantisation table segment
            0xFF, 0xC2, 0x00, 0x11, 0x08, 0x02, 0xD0, 0x01, 0xE0, 0x03, // progressive SOF: height 720, width 480
        ];
        Assert.Equal(new ImageInfo("image/jpeg", "jpg", 480, 720), ImageSignature.Inspect(jpeg));
    }

    [Fact]
    public void The_three_webp_kinds_are_read()
    {
        var lossy = WebP("VP8 ", chunk =>
        {
            chunk[3] = 0x9D; chunk[4] = 0x01; chunk[5] = 0x2A;
            BinaryPrimitives.WriteUInt16LittleEndian(chunk[6..], 300);
            BinaryPrimitives.WriteUInt16LittleEndian(chunk[8..], 200);
        });
        var lossless = WebP("VP8L", chunk =>
        {
            chunk[0] = 0x2F;
            BinaryPrimitives.WriteUInt32LittleEndian(chunk[1..], (uint)(640 - 1) | (uint)(480 - 1) << 14);
        });
        var extended = WebP("VP8X", chunk =>
        {
            chunk[4] = (1000 - 1) & 0xFF; chunk[5] = (1000 - 1) >> 8;
            chunk[7] = (70000 - 1) & 0xFF; chunk[8] = ((70000 - 1) >> 8) & 0xFF; chunk[9] = (70000 - 1) >> 16;
        });

        Assert.Equal(new ImageInfo("image/webp", "webp", 300, 200), ImageSignature.Inspect(lossy));
        Assert.Equal(new ImageInfo("image/webp", "webp", 640, 480), ImageSignature.Inspect(lossless));
        Assert.Equal(new ImageInfo("image/webp", "webp", 1000, 70000), ImageSignature.Inspect(extended));
    }

    [Theory]
    [InlineData("<html><body>Not found</body></html>")]
    [InlineData("GIF89a..............................")]
    [InlineData("")]
    public void Anything_else_is_not_an_image(string text) =>
        Assert.Null(ImageSignature.Inspect(System.Text.Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void A_signature_without_a_readable_header_is_not_an_image()
    {
        Assert.Null(ImageSignature.Inspect(PngHeader(64, 64).AsSpan(0, 20)));   // cut inside IHDR
        Assert.Null(ImageSignature.Inspect(PngHeader(0, 64)));                 // zero width
        Assert.Null(ImageSignature.Inspect([0xFF, 0xD8, 0xFF, 0xD9]));        // JPEG that ends before a frame
    }

    private static byte[] WebP(string kind, SpanAction write)
    {
        var webp = new byte[40];
        "RIFF"u8.CopyTo(webp);
        BinaryPrimitives.WriteUInt32LittleEndian(webp.AsSpan(4), (uint)webp.Length - 8);
        "WEBP"u8.CopyTo(webp.AsSpan(8));
        System.Text.Encoding.ASCII.GetBytes(kind).CopyTo(webp, 12);
        BinaryPrimitives.WriteUInt32LittleEndian(webp.AsSpan(16), 20);
        write(webp.AsSpan(20));
        return webp;
    }

    private delegate void SpanAction(Span<byte> chunk);
}
