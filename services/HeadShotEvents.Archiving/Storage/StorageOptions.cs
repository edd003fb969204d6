using System.ComponentModel.DataAnnotations;

namespace HeadShotEvents.Archiving.Storage;

public enum StorageProvider
{
    /// <summary>A local folder: the zero-setup default.</summary>
    Folder,

    /// <summary>Any S3-compatible object storage: AWS S3, MinIO, Cloudflare R2, ...</summary>
    S3,
}

/// <summary>Section <c>Storage</c>: where archived images go.</summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Folder;

    /// <summary>Prepended to every key (e.g. <c>headshots/</c>); empty: keys start with the RequestId.</summary>
    // Segments of letters, digits, '.', '_' and '-', never "." or "..": a key must stay under the prefix.
    [RegularExpression(@"^((?!\.{1,2}/)[A-Za-z0-9._-]+/)*$", ErrorMessage = "Storage:Prefix must be empty or path segments ending in '/', e.g. 'headshots/'.")]
    public string Prefix { get; set; } = "";

    public FolderStorageOptions Folder { get; set; } = new();

    public S3StorageOptions S3 { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == StorageProvider.Folder && string.IsNullOrWhiteSpace(Folder.Path))
        {
            yield return new ValidationResult("Storage:Folder:Path is required when Storage:Provider is Folder.");
        }

        if (Provider != StorageProvider.S3)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(S3.Bucket))
        {
            yield return new ValidationResult("Storage:S3:Bucket is required when Storage:Provider is S3.");
        }

        if (S3.ServiceUrl is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https")))
        {
            yield return new ValidationResult("Storage:S3:ServiceUrl must be an absolute http(s) URL, e.g. http://minio:9000.");
        }

        if (string.IsNullOrEmpty(S3.AccessKey) != string.IsNullOrEmpty(S3.SecretKey))
        {
            yield return new ValidationResult("Storage:S3:AccessKey and Storage:S3:SecretKey go together: set both, or neither for the SDK's default credentials.");
        }
    }
}

public sealed class FolderStorageOptions
{
    /// <summary>The archive's root; relative paths are under the content root.</summary>
    public string Path { get; set; } = "archive";
}

public sealed class S3StorageOptions
{
    /// <summary>The endpoint of an S3-compatible server (<c>http://minio:9000</c>); empty: AWS S3 in <see cref="Region"/>.</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>The region requests are signed for; MinIO and s3rver accept any.</summary>
    public string Region { get; set; } = "us-east-1";

    public string? Bucket { get; set; }

    /// <summary>Path-style addressing (<c>host/bucket/key</c>): what MinIO and most self-hosted servers need.</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>Access key id; empty: the SDK's default credential chain (environment, instance role).</summary>
    public string? AccessKey { get; set; }

    /// <summary>A secret: set it from the environment (<c>Storage__S3__SecretKey</c>), never in a file under version control.</summary>
    public string? SecretKey { get; set; }
}
