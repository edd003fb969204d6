using Amazon.S3;
using Amazon.S3.Model;

namespace HeadShotEvents.Archiver.Tests.Infrastructure;

/// <summary>What the test bucket holds under a key prefix.</summary>
public static class BucketObjects
{
    /// <summary>Every object under <paramref name="prefix"/>: key to ETag.</summary>
    public static async Task<Dictionary<string, string>> AllAsync(IAmazonS3 s3, string prefix)
    {
        var listing = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = S3Server.Bucket, Prefix = prefix });
        return (listing.S3Objects ?? []).ToDictionary(o => o.Key, o => o.ETag);
    }

    /// <summary>The image objects under <paramref name="prefix"/> (not the receipt): key to ETag.</summary>
    public static async Task<Dictionary<string, string>> ImagesAsync(IAmazonS3 s3, string prefix) =>
        (await AllAsync(s3, prefix)).Where(o => o.Key.EndsWith(".png", StringComparison.Ordinal)).ToDictionary();
}
