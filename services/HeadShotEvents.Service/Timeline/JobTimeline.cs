using System.Threading.Channels;
using HeadShotEvents.Service.Jobs;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Timeline;

/// <summary>
/// Where the roles note what happened to a job. Recording never waits and never touches the
/// database: the entry goes into a bounded in-memory buffer that <see cref="TimelineWriter"/> writes
/// in batches, so the webhook's answer costs no extra round trip. The price: entries still buffered
/// when a process dies are lost (never the job's state, which is the job row's), and when the
/// buffer is full new entries are dropped and counted (<c>headshot.timeline.dropped</c>).
/// </summary>
public sealed class JobTimeline
{
    private readonly Channel<TimelineRecord> _buffer;
    private readonly TimelineMetrics _metrics;
    private readonly TimeProvider _time;
    private long _dropped;
    private bool _stopped;

    public JobTimeline(IOptions<TimelineOptions> options, TimelineMetrics metrics, TimeProvider time)
    {
        _buffer = Channel.CreateBounded<TimelineRecord>(new BoundedChannelOptions(options.Value.Capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite answers false when full: the drop is ours to count
        });
        _metrics = metrics;
        _time = time;
    }

    internal ChannelReader<TimelineRecord> Reader => _buffer.Reader;

    /// <summary>Entries dropped since the last call (the writer logs them).</summary>
    internal long TakeDropped() => Interlocked.Exchange(ref _dropped, 0);

    public DateTime Now => _time.GetUtcNow().UtcDateTime;

    public void Callback(long trackId, DateTime receivedAt, string outcome, string? detail) =>
        Record(new TimelineRecord(trackId, receivedAt, TimelineKind.Callback, outcome, detail));

    public void Poll(long trackId, DateTime polledAt, string outcome, string? detail = null) =>
        Record(new TimelineRecord(trackId, polledAt, TimelineKind.Poll, outcome, detail));

    public void Published(HeadShotJob job, Guid messageId, string eventName) =>
        Record(new TimelineRecord(job.TrackId, Now, TimelineKind.Published, detail: eventName, messageId: messageId));

    public void Record(TimelineRecord record)
    {
        if (!_buffer.Writer.TryWrite(record))
        {
            Interlocked.Increment(ref _dropped);
            _metrics.Dropped(record.Kind, Volatile.Read(ref _stopped) ? "stopped" : "buffer-full");
        }
    }

    /// <summary>No more entries (the writer drains what is left and stops).</summary>
    internal void Complete()
    {
        Volatile.Write(ref _stopped, true);
        _buffer.Writer.TryComplete();
    }
}
