using System.Security.Cryptography;

namespace HeadShotEvents.Service.Outcomes;

/// <summary>
/// MessageIds derived from the RequestId: every copy of a request's terminal event, from any
/// instance and any path (immediate, webhook, poll, re-publish), carries the same id, so a
/// subscriber can recognise a duplicate.
/// </summary>
public static class EventIds
{
    public static Guid Terminal(Guid requestId) => Derive(requestId, "terminal");

    public static Guid Submitted(Guid requestId) => Derive(requestId, "submitted");

    private static Guid Derive(Guid requestId, string kind)
    {
        Span<byte> input = stackalloc byte[16 + 16];
        requestId.TryWriteBytes(input);
        System.Text.Encoding.ASCII.GetBytes(kind.PadRight(16), input[16..]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        // Mark it as an RFC 9562 version 8 (custom) GUID so it is never mistaken for a random one.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
