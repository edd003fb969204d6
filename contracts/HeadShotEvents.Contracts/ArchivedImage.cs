namespace HeadShotEvents.Contracts;

/// <summary>One output image as stored by the archiver, checked to be a real PNG, JPEG or WebP.</summary>
public sealed record ArchivedImage
{
    /// <summary>Position of the output in <see cref="HeadShotCompleted.Outputs"/> (0-based).</summary>
    public required int Index { get; init; }

    /// <summary>
    /// The object's key in the bucket (or path under the archive folder):
    /// <c>{prefix}{requestId}/{index}.{png|jpg|webp}</c>. Deterministic, so archiving again overwrites it.
    /// </summary>
    public required string Key { get; init; }

    /// <summary>
    /// Where the object can be read: an <c>s3://bucket/key</c> URI, or a <c>file://</c> URI for the
    /// local folder store. Reading it needs the storage's own credentials.
    /// </summary>
    public required string Url { get; init; }

    /// <summary>The ModelsLab URL the image was copied from (dead after <see cref="HeadShotCompleted.OutputsExpireAt"/>).</summary>
    public required string SourceUrl { get; init; }

    /// <summary>The media type read from the content's signature: <c>image/png</c>, <c>image/jpeg</c> or <c>image/webp</c>.</summary>
    public required string ContentType { get; init; }

    /// <summary>Size in bytes.</summary>
    public required long SizeBytes { get; init; }

    /// <summary>SHA-256 of the stored bytes, lower-case hex (64 characters).</summary>
    public required string Sha256 { get; init; }

    /// <summary>Width in pixels, read from the image header.</summary>
    public required int Width { get; init; }

    /// <summary>Height in pixels, read from the image header.</summary>
    public required int Height { get; init; }
}
