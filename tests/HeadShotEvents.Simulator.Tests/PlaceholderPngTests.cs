using HeadShotEvents.Simulator.Outputs;
using HeadShotEvents.Testing;

namespace HeadShotEvents.Simulator.Tests;

public sealed class PlaceholderPngTests
{
    [Fact]
    public void The_placeholder_is_a_png_that_decodes()
    {
        var png = PngImage.Decode(PlaceholderPng.Image);

        Assert.Equal((64, 64, 8, 2), (png.Width, png.Height, png.BitDepth, png.ColorType));
        Assert.Equal(64 * (1 + 64 * 3), png.Scanlines.Length);
    }

    [Fact]
    public void The_crc_matches_the_png_specifications_check_value()
    {
        // CRC-32 of "123456789" is 0xCBF43926 (the standard check value).
        Assert.Equal(0xCBF43926u, PlaceholderPng.Crc32("123456789"u8));
    }

    [Fact]
    public void A_corrupted_byte_is_caught_by_the_checker()
    {
        var corrupted = PlaceholderPng.Image.ToArray();
        corrupted[40] ^= 0xFF;

        Assert.Throws<InvalidDataException>(() => PngImage.Decode(corrupted));
    }
}
