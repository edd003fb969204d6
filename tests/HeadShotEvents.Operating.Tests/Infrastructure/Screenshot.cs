using HeadShotEvents.Testing;

namespace HeadShotEvents.Operating.Tests.Infrastructure;

/// <summary>
/// The pixels of a browser screenshot (8-bit RGB or RGBA PNG), unfiltered, to tell an image that
/// rendered from an empty or broken one. <see cref="PngImage"/> checks the file; this reads it.
/// </summary>
public sealed record Screenshot(int Width, int Height, byte[][] Rgb)
{
    public static Screenshot Decode(byte[] png)
    {
        var image = PngImage.Decode(png);
        if (image.BitDepth != 8 || image.ColorType is not (2 or 6))
        {
            throw new InvalidDataException($"Expected an 8-bit RGB(A) screenshot; got bit depth {image.BitDepth}, colour type {image.ColorType}.");
        }

        var channels = image.ColorType == 6 ? 4 : 3;
        var stride = image.Width * channels;
        var previous = new byte[stride];
        var pixels = new byte[image.Width * image.Height][];
        for (var y = 0; y < image.Height; y++)
        {
            var filter = image.Scanlines[y * (stride + 1)];
            var row = image.Scanlines.AsSpan((y * (stride + 1)) + 1, stride).ToArray();
            for (var x = 0; x < stride; x++)
            {
                int left = x >= channels ? row[x - channels] : 0, up = previous[x], upLeft = x >= channels ? previous[x - channels] : 0;
                row[x] = (byte)(row[x] + filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    _ => Paeth(left, up, upLeft),
                });
            }

            for (var x = 0; x < image.Width; x++)
            {
                pixels[(y * image.Width) + x] = [row[x * channels], row[(x * channels) + 1], row[(x * channels) + 2]];
            }

            previous = row;
        }

        return new Screenshot(image.Width, image.Height, pixels);
    }

    /// <summary>How many different colours the region holds (1 for a blank one).</summary>
    public int DistinctColours => Rgb.Select(p => (p[0] << 16) | (p[1] << 8) | p[2]).Distinct().Count();

    /// <summary>The spread of one channel (0 red, 1 green, 2 blue) over the region.</summary>
    public int Range(int channel) => Rgb.Max(p => p[channel]) - Rgb.Min(p => p[channel]);

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
