using System.Buffers.Binary;
using System.Buffers.Text;

namespace HeadShotEvents.Service.JobLog;

/// <summary>
/// Where a page of the job log ended: the last job's (CreatedAt, TrackId), the keyset the next page
/// starts after. Opaque to callers (base64url); carries no filter, so the caller sends those again.
/// </summary>
public readonly record struct JobCursor(DateTime CreatedAt, long TrackId)
{
    private const byte Version = 1;

    public string Encode()
    {
        Span<byte> bytes = stackalloc byte[17];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], CreatedAt.Ticks);
        BinaryPrimitives.WriteInt64BigEndian(bytes[9..], TrackId);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryDecode(string text, out JobCursor cursor)
    {
        cursor = default;
        Span<byte> bytes = stackalloc byte[18];
        if (text.Length > 32 || !Base64Url.TryDecodeFromChars(text, bytes, out var written) || written != 17 || bytes[0] != Version)
        {
            return false;
        }

        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        var trackId = BinaryPrimitives.ReadInt64BigEndian(bytes[9..]);
        if (ticks is < 0 || ticks > DateTime.MaxValue.Ticks || trackId < 0)
        {
            return false;
        }

        cursor = new JobCursor(new DateTime(ticks, DateTimeKind.Utc), trackId);
        return true;
    }
}
