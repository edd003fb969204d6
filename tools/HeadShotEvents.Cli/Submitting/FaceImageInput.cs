using HeadShotEvents.Cli.Output;

namespace HeadShotEvents.Cli.Submitting;

/// <summary>
/// <c>--face</c>: a URL (or data URI) goes as it is; anything else names a file, sent as a base64
/// data URI (the service accepts base64 PNG, JPEG or WebP). Whether the bytes really are an image
/// is the validator's call, not this one's, so the CLI refuses exactly what the service refuses.
/// </summary>
public static class FaceImageInput
{
    public static string Resolve(string? face)
    {
        if (string.IsNullOrWhiteSpace(face))
        {
            throw new UsageException("--face is required: an image file or an https URL.");
        }

        if (face.Contains("://", StringComparison.Ordinal) || face.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            return face;
        }

        if (!File.Exists(face))
        {
            throw new UsageException($"--face: no file '{face}' (give an image file or an https URL).");
        }

        var bytes = File.ReadAllBytes(face);
        return $"data:{MediaType(bytes, face)};base64,{Convert.ToBase64String(bytes)}";
    }

    private static string MediaType(byte[] bytes, string path) => bytes switch
    {
        [0x89, (byte)'P', (byte)'N', (byte)'G', ..] => "image/png",
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => "image/webp",
        _ => Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => "image/png",
            ".webp" => "image/webp",
            _ => "image/jpeg",
        },
    };
}
