using System.Collections.Concurrent;

namespace HeadShotEvents.Simulator.Admin;

/// <summary>Counters behind <see cref="SimulatorStatistics"/>, safe to bump from any request or delivery.</summary>
internal sealed class SimulatorStats
{
    private readonly ConcurrentDictionary<string, long> _headShotCallsByTrackId = new(StringComparer.Ordinal);
    private long _headShotCalls;
    private long _jobsCreated;
    private long _fetchCalls;
    private long _webhooksSent;
    private long _webhooksDropped;
    private long _webhookAttemptsFailed;
    private long _webhooksUndelivered;
    private long _webhooksDuplicated;
    private long _webhooksDelayed;

    public void HeadShotCalled(string? trackId)
    {
        Interlocked.Increment(ref _headShotCalls);
        if (trackId is not null)
            _headShotCallsByTrackId.AddOrUpdate(trackId, 1, (_, calls) => calls + 1);
    }

    public void JobCreated() => Interlocked.Increment(ref _jobsCreated);
    public void FetchCalled() => Interlocked.Increment(ref _fetchCalls);
    public void WebhookSent() => Interlocked.Increment(ref _webhooksSent);
    public void WebhookDropped() => Interlocked.Increment(ref _webhooksDropped);
    public void WebhookAttemptFailed() => Interlocked.Increment(ref _webhookAttemptsFailed);
    public void WebhookUndelivered() => Interlocked.Increment(ref _webhooksUndelivered);
    public void WebhookDuplicated() => Interlocked.Increment(ref _webhooksDuplicated);
    public void WebhookDelayed() => Interlocked.Increment(ref _webhooksDelayed);

    public SimulatorStatistics Snapshot() => new(
        Interlocked.Read(ref _headShotCalls),
        new SortedDictionary<string, long>(_headShotCallsByTrackId, StringComparer.Ordinal),
        Interlocked.Read(ref _jobsCreated),
        Interlocked.Read(ref _fetchCalls),
        Interlocked.Read(ref _webhooksSent),
        Interlocked.Read(ref _webhooksDropped),
        Interlocked.Read(ref _webhookAttemptsFailed),
        Interlocked.Read(ref _webhooksUndelivered),
        Interlocked.Read(ref _webhooksDuplicated),
        Interlocked.Read(ref _webhooksDelayed));
}
