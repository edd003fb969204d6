using System.Security.Cryptography;

namespace HeadShotEvents.Archiving;

/// <summary>
/// MessageIds derived from the RequestId, as the service derives its terminal events' ids
/// (HeadShotEvents.Service.Outcomes.EventIds, same construction, other kinds): every copy of a
/// request's archive outcome, from any instance or redelivery, carries the same id.
/// </summary>
public static class ArchiveEventIds
{
    public static Guid Archived(Guid requestId) => Derive(requestId, "archived");

    public static Guid ArchiveFailed(Guid requestId) => Derive(requestId, "archive-failed");

    private static Guid Derive(Guid requestId, string kind)
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
