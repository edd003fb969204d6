using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace HeadShotEvents.Archiving.Storage;

/// <summary>Objects in an S3-compatible bucket; the SHA-256 travels as object metadata (<c>x-amz-meta-sha256</c>).</summary>
public sealed class S3ArchiveStore(IAmazonS3 s3, string bucket) : IArchiveStore
{
    public const string Sha256Metadata = "sha256";

    public async Task<string> PutAsync(string key, byte[] content, string contentType, string sha256, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(content, writable: false);
        var request = new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            InputStream = body,
            ContentType = contentType,
            AutoCloseStream = false,
            // Streaming signatures (aws-chunked) are not decoded by every S3-compatible server: s3rver
            // stores the chunk framing as the object. The body is small and already in memory.
            UseChunkEncoding = false,
        };
        request.Metadata[Sha256Metadata] = sha256;
        await s3.PutObjectAsync(request, cancellationToken);
        return $"s3://{bucket}/{key}";
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await s3.GetObjectAsync(bucket, key, cancellationToken);
            using var content = new MemoryStream();
            await response.ResponseStream.CopyToAsync(content, cancellationToken);
            return content.ToArray();
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task CheckAsync(CancellationToken cancellationToken) =>
        s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 1 }, cancellationToken);

    /// <summary>
    /// A client for <paramref name="options"/>. Checksums only when an operation requires them: the
    /// SDK's default trailing checksums (aws-chunked uploads) are not understood by every
    /// S3-compatible server, and the content hash is ours anyway.
    /// </summary>
    public static IAmazonS3 CreateClient(S3StorageOptions options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            AuthenticationRegion = options.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.ServiceUrl is { } url)
        {
            config.ServiceURL = url.AbsoluteUri;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }

        return string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }
}
