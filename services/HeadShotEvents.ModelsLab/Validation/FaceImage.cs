namespace HeadShotEvents.ModelsLab.Validation;

/// <summary>
/// The face_image field is "a link or valid base64 data": an absolute http(s) URL, a
/// <c>data:image/...;base64,</c> URI, or bare base64. Whatever it is must at least decode.
/// </summary>
internal static class FaceImage
{
    /// <summary>ModelsLab's own limit is not documented; a face photo has no reason to be bigger.</summary>
    public const int MaxBase64Characters = 10 * 1024 * 1024;

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

        if (Uri.TryCreate(faceImage, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return null;
        }

        if (faceImage.Contains("://", StringComparison.Ordinal))
        {
            return "face_image URL must be an absolute http or https URL.";
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
        return data.Length > 0 && Convert.TryFromBase64String(data, buffer, out _)
            ? null
            : "face_image is neither an http(s) URL nor valid base64 data.";
    }
}
