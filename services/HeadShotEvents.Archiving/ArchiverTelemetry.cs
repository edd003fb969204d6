using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace HeadShotEvents.Archiving;

/// <summary>
/// The archiver's spans: <c>headshot.archive</c> is a child of MassTransit's consume span (so of the
/// request's one trace), with a <c>headshot.archive.download</c> child per output.
/// </summary>
public static class ArchiverTelemetry
{
    /// <summary>The ActivitySource and Meter name.</summary>
    public const string SourceName = "HeadShotEvents.Archiver";

    public const string RequestIdTag = "headshot.request_id";
    public const string OutcomeTag = "headshot.archive.outcome";

    public static readonly ActivitySource Source = new(SourceName);
}

/// <summary>What the archiver did, by outcome; download attempts by result.</summary>
public sealed class ArchiverMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Counter<long> _outcomes;
    private readonly Counter<long> _attempts;
    private readonly Counter<long> _bytes;

    public ArchiverMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(ArchiverTelemetry.SourceName);
        _outcomes = _meter.CreateCounter<long>("headshot.archive.outcomes", description: "Archive attempts by outcome: archived, already-archived, failed, parked.");
        _attempts = _meter.CreateCounter<long>("headshot.archive.download.attempts", description: "Download attempts by result.");
        _bytes = _meter.CreateCounter<long>("headshot.archive.bytes", unit: "By", description: "Bytes stored.");
    }

    public void Outcome(string outcome) => _outcomes.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Attempt(string result) => _attempts.Add(1, new KeyValuePair<string, object?>("result", result));

    public void Stored(long bytes) => _bytes.Add(bytes);

    public void Dispose() => _meter.Dispose();
}
