using HeadShotEvents.UrlSafety;

namespace HeadShotEvents.ModelsLab.Validation;

/// <summary>
/// The face_image field is "a link or valid base64 data": an absolute https URL to a public host
/// (the same rules as output URLs: see <see cref="ImageUrl"/>), a <c>data:image/...;base64,</c>
/// URI, or bare base64. Base64 must decode to a PNG, JPEG or WebP image: ModelsLab would only
/// fail later (and charge) for anything else, and the data travels on the bus.
/// </summary>
internal static class FaceImage
{
    /// <summary>
    /// ModelsLab's own limit is not documented; a face photo for a 512×768 head shot has no reason
    /// to be bigger than 3 MiB, and every byte travels in the request message.
    /// </summary>
    public const int MaxBase64Characters = 4 * 1024 * 1024;

    private static readonly string[] ImageMediaTypes = ["image/png", "image/jpeg", "image/jpg", "image/webp"];

    /// <summary>Null when acceptable, else why not.</summary>
    public static string? Check(string? faceImage)
    {
        if (string.IsNullOrWhiteSpace(faceImage))
        {
            return "face_image is required: an https URL or base64 image data.";
        }

        if (faceImage.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var comma = faceImage.IndexOf(',');
            var header = comma < 0 ? faceImage : faceImage[..comma];
            if (comma < 0 || !header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
            {
                return "face_image data URI must look like data:image/jpeg;base64,<data>.";
            }

            var mediaType = header["data:".Length..^";base64".Length];
            if (!ImageMediaTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase))
            {
                return $"face_image must be a PNG, JPEG or WebP image; got '{mediaType}'.";
            }

            return CheckBase64(faceImage[(comma + 1)..]);
        }

        if (faceImage.Contains(':', StringComparison.Ordinal))
        {
            // Base64 has no colon: anything with one is a URL (javascript:, file:, https://...).
            return ImageUrl.Check(faceImage, ImageUrlRules.AnyPublicHttpsHost) is { } urlError
                ? $"face_image URL is not acceptable: {urlError}"
                : null;
        }

        return CheckBase64(faceImage);
    }

    private static string? CheckBase64(string data)
    {
        if (data.Length > MaxBase64Characters)
        {
            return $"face_image base64 data must be at most {MaxBase64Characters} characters; got {data.Length}.";
        }

        var buffer = new byte[(data.Length * 3 / 4) + 3];
        if (data.Length == 0 || !Convert.TryFromBase64String(data, buffer, out var length))
        {
            return "face_image is neither an https URL nor valid base64 data.";
        }

        return IsImage(buffer.AsSpan(0, length)) ? null : "face_image base64 data must be a PNG, JPEG or WebP image.";
    }

    /// <summary>The files' own signatures, not what the data URI claims.</summary>
    private static bool IsImage(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])
        || bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])
        || (bytes.Length >= 12 && bytes[..4].SequenceEqual("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8));
}
