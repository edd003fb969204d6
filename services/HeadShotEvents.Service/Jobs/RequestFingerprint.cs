using System.Security.Cryptography;
using System.Text.Json;
using HeadShotEvents.Contracts;

namespace HeadShotEvents.Service.Jobs;

/// <summary>
/// What a request asked for, as a hash: the job keeps no prompt and no face image, yet a second
/// request with the same RequestId must be recognised as the same payload or a different one.
/// </summary>
public static class RequestFingerprint
{
    public const int Length = 64;

    public static string Of(HeadShotRequested request)
    {
        // Metadata in key order: the same map sent in another order is the same request.
        var canonical = request with
        {
            Metadata = request.Metadata is null ? null : new SortedDictionary<string, string>(request.Metadata.ToDictionary(), StringComparer.Ordinal),
        };
        return Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(canonical, JsonSerializerOptions.Default)));
    }
}
