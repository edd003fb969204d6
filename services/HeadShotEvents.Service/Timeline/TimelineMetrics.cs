using System.Diagnostics.Metrics;
using HeadShotEvents.Service.Telemetry;

namespace HeadShotEvents.Service.Timeline;

/// <summary>The timeline's own instruments: what it could not keep.</summary>
public sealed class TimelineMetrics
{
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _written;

    public TimelineMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(HeadShotMetrics.MeterName);
        _dropped = meter.CreateCounter<long>("headshot.timeline.dropped", "{entry}",
            "Timeline entries dropped: the in-memory buffer was full (reason buffer-full), the store kept failing (store-failed), or the writer had already stopped at shutdown (stopped).");
        _written = meter.CreateCounter<long>("headshot.timeline.written", "{entry}", "Timeline entries handed to the store.");
    }

    public void Dropped(TimelineKind kind, string reason = "buffer-full", long count = 1) =>
        _dropped.Add(count, new KeyValuePair<string, object?>("reason", reason), new KeyValuePair<string, object?>("kind", kind.ToString()));

    public void Written(long count) => _written.Add(count);
}
