using System.ComponentModel.DataAnnotations;

namespace HeadShotEvents.Service.Timeline;

/// <summary>Section <c>Timeline</c>: how recorded entries are buffered and written.</summary>
public sealed class TimelineOptions
{
    public const string Section = "Timeline";

    /// <summary>Entries buffered in memory at most; past it new entries are dropped (and counted) rather than slow anyone down.</summary>
    [Range(16, 1_000_000)]
    public int Capacity { get; set; } = 10_000;

    /// <summary>Entries written in one statement at most.</summary>
    [Range(1, 1_000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>How long the writer waits for a batch to fill before writing what it has.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(5);
}
