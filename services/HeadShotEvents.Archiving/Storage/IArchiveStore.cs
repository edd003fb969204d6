namespace HeadShotEvents.Archiving.Storage;

/// <summary>Where archived images live: an S3-compatible bucket, or a local folder on embedded defaults.</summary>
public interface IArchiveStore
{
    /// <summary>Writes (or overwrites) the object at <paramref name="key"/>; returns where it can be read.</summary>
    Task<string> PutAsync(string key, byte[] content, string contentType, string sha256, CancellationToken cancellationToken);

    /// <summary>The object's bytes, or null when there is none.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Throws when the store cannot be reached (the readiness check).</summary>
    Task CheckAsync(CancellationToken cancellationToken);
}
