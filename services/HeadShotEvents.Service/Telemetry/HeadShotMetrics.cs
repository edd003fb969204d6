using System.Diagnostics.Metrics;
using HeadShotEvents.Contracts;

namespace HeadShotEvents.Service.Telemetry;

/// <summary>
/// What an operator charts. Created through <see cref="IMeterFactory"/>, so each host (and each
/// test's host) has its own instruments.
/// </summary>
public sealed class HeadShotMetrics
{
    public const string MeterName = HeadShotTelemetry.SourceName;

    private readonly Counter<long> _submitted;
    private readonly Counter<long> _callbacks;
    private readonly Counter<long> _completions;
    private readonly Counter<long> _failures;
    private readonly Histogram<double> _timeToOutcome;
    private readonly Histogram<double> _callbackLateness;

    public HeadShotMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _submitted = meter.CreateCounter<long>("headshot.requests.submitted", "{request}", "Requests ModelsLab accepted (queued or answered at once).");
        _callbacks = meter.CreateCounter<long>("headshot.callbacks", "{callback}", "Webhook callbacks received, by outcome (completed, failed, duplicate, processing, or the reason for rejection).");
        _completions = meter.CreateCounter<long>("headshot.completions", "{request}", "Requests completed, by how the result arrived (immediate, webhook, poll).");
        _failures = meter.CreateCounter<long>("headshot.failures", "{request}", "Requests failed, by reason.");
        _timeToOutcome = meter.CreateHistogram<double>("headshot.time_to_outcome", "s", "From the job's creation to its terminal state.");
        _callbackLateness = meter.CreateHistogram<double>("headshot.callback.lateness", "s", "When the terminal callback arrived compared to ModelsLab's eta (negative: earlier).");
    }

    public void Submitted() => _submitted.Add(1);

    public void Callback(string outcome) => _callbacks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Completed(HeadShotDelivery delivery, TimeSpan sinceCreated)
    {
        var tag = new KeyValuePair<string, object?>("delivery", delivery.ToString().ToLowerInvariant());
        _completions.Add(1, tag);
        _timeToOutcome.Record(sinceCreated.TotalSeconds, new KeyValuePair<string, object?>("outcome", "completed"));
    }

    public void Failed(HeadShotFailureReason reason, TimeSpan sinceCreated)
    {
        _failures.Add(1, new KeyValuePair<string, object?>("reason", reason.ToString()));
        _timeToOutcome.Record(sinceCreated.TotalSeconds, new KeyValuePair<string, object?>("outcome", "failed"));
    }

    public void CallbackLateness(TimeSpan lateness) => _callbackLateness.Record(lateness.TotalSeconds);
}
