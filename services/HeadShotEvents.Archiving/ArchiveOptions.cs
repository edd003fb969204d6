using System.ComponentModel.DataAnnotations;

namespace HeadShotEvents.Archiving;

/// <summary>Section <c>Archive</c>: how long and how often a failing download is tried again.</summary>
public sealed class ArchiveOptions
{
    public const string Section = "Archive";

    /// <summary>First pause after a failed download (404 before the CDN has it, 5xx, a timeout); doubles each time.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest pause between two attempts at one output.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long one delivery of a message may keep retrying in process. Below RabbitMQ's
    /// <c>consumer_timeout</c> (30 minutes by default), after which the broker closes a channel
    /// that holds an unacknowledged message.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:29:00")]
    public TimeSpan MaxHold { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>
    /// How long a message still failing after <see cref="MaxHold"/> waits in the parking queue
    /// before it is delivered again. Each delivery retries until the outputs expire or its hold ends.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "06:00:00")]
    public TimeSpan ParkDelay { get; set; } = TimeSpan.FromMinutes(30);
}
