using System.Security.Cryptography;

namespace HeadShotEvents.Contracts;

/// <summary>
/// How the MessageIds of a request's events are derived from its RequestId: every copy of one
/// kind of event for one request, from any instance, path or redelivery, carries the same id, so
/// a subscriber can recognise a duplicate. The service (terminal, submitted) and the archiver
/// (archived, archive-failed) derive theirs here.
/// </summary>
public static class RequestMessageIds
{
    /// <summary>The id of <paramref name="requestId"/>'s event of <paramref name="kind"/> (ASCII, at most 16 characters).</summary>
    public static Guid Derive(Guid requestId, string kind)
    {
        Span<byte> input = stackalloc byte[16 + 16];
        requestId.TryWriteBytes(input);
        System.Text.Encoding.ASCII.GetBytes(kind.PadRight(16), input[16..]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        // An RFC 9562 version 8 (custom) GUID, so it is never mistaken for a random one.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
