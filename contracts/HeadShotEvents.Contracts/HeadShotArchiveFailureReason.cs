using System.Text.Json.Serialization;

namespace HeadShotEvents.Contracts;

/// <summary>Why archiving failed. Written by name on the wire; new names may be added.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<HeadShotArchiveFailureReason>))]
public enum HeadShotArchiveFailureReason
{
    /// <summary>
    /// An output could not be downloaded (not found yet, server errors, timeouts) before
    /// <see cref="HeadShotCompleted.OutputsExpireAt"/>, or the archiver's retry budget ran out.
    /// </summary>
    Expired,

    /// <summary>
    /// The output URL breaks the download rules: not https, a host off the allow-list, credentials in
    /// it, a name that resolves to a loopback, private or link-local address, a redirect to another host.
    /// </summary>
    UrlRefused,

    /// <summary>The download is not a PNG, JPEG or WebP image by its signature, or its header is unreadable.</summary>
    NotAnImage,

    /// <summary>The download is larger than the archiver's size cap.</summary>
    TooLarge,

    /// <summary>The output answered with an error that retrying does not fix (e.g. 403, 410).</summary>
    DownloadRejected,
}
