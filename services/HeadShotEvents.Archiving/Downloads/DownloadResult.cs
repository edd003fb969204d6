using HeadShotEvents.Contracts;

namespace HeadShotEvents.Archiving.Downloads;

/// <summary>The end of one output's download: its bytes, a failure, or "still failing, try later".</summary>
public abstract record DownloadResult
{
    /// <summary>A checked image.</summary>
    public sealed record Downloaded(byte[] Content, ImageInfo Image, int Attempts) : DownloadResult;

    /// <summary>Refused, not an image, too large, rejected, or expired while retrying: final.</summary>
    public sealed record Failed(HeadShotArchiveFailureReason Reason, string Message, int Attempts) : DownloadResult;

    /// <summary>Still failing transiently when this delivery's hold ran out, before the outputs expire.</summary>
    public sealed record Deferred(string LastError, int Attempts) : DownloadResult;
}

/// <summary>One HTTP attempt: an image, or why not, and whether trying again could help.</summary>
internal abstract record Attempt
{
    public sealed record Image(byte[] Content, ImageInfo Info) : Attempt;

    public sealed record Problem(HeadShotArchiveFailureReason Reason, string Message, bool Transient) : Attempt;
}
