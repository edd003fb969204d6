using System.Collections.Concurrent;
using System.Diagnostics;
using HeadShotEvents.Archiving;

namespace HeadShotEvents.Archiver.Tests.Infrastructure;

/// <summary>
/// Every finished span of the archiver's and MassTransit's sources in this process. Listeners see
/// every test's spans: filter by request id or trace id.
/// </summary>
public sealed class SpanRecorder : IDisposable
{
    private const string TestSourceName = "HeadShotEvents.Archiver.Tests";

    /// <summary>For a test's own spans, e.g. the publisher's, whose trace the archive must join.</summary>
    public static readonly ActivitySource TestSource = new(TestSourceName);

    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly SemaphoreSlim _stopped = new(0);

    public SpanRecorder()
    {
        _listener = new ActivityListener
        {
            // By name: comparing with TestSource here would create it in the middle of this registration.
            ShouldListenTo = source => source.Name is ArchiverTelemetry.SourceName or "MassTransit" or TestSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                _spans.Enqueue(activity);
                _stopped.Release();
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> All => _spans.ToList();

    /// <summary>The <c>headshot.archive</c> spans of one request.</summary>
    public IReadOnlyList<Activity> Archives(Guid requestId) => _spans
        .Where(s => s.OperationName == "headshot.archive" && (string?)s.GetTagItem(ArchiverTelemetry.RequestIdTag) == requestId.ToString())
        .ToList();

    /// <summary>Waits until <paramref name="count"/> archive spans of the request have ended; returns them.</summary>
    public Task<IReadOnlyList<Activity>> WaitForArchivesAsync(Guid requestId, int count, TimeSpan timeout) =>
        WaitForArchivesAsync(requestId, found => found.Count >= count, $"{count} archive span(s)", timeout);

    /// <summary>Waits until an archive span of the request with <paramref name="outcome"/> has ended; returns all of the request's.</summary>
    public Task<IReadOnlyList<Activity>> WaitForArchiveOutcomeAsync(Guid requestId, string outcome, TimeSpan timeout) =>
        WaitForArchivesAsync(requestId, found => found.Any(span => (string?)span.GetTagItem(ArchiverTelemetry.OutcomeTag) == outcome),
            $"an archive span with outcome {outcome}", timeout);

    private async Task<IReadOnlyList<Activity>> WaitForArchivesAsync(Guid requestId, Func<IReadOnlyList<Activity>, bool> done, string what, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (Archives(requestId) is var found && !done(found))
        {
            try
            {
                await _stopped.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Waited {timeout} for {what} of {requestId}; saw {found.Count} archive span(s).");
            }
        }

        return Archives(requestId);
    }

    public void Dispose() => _listener.Dispose();
}
