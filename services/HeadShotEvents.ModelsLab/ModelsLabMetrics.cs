using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace HeadShotEvents.ModelsLab;

/// <summary>ModelsLab call latency and errors, by endpoint and HTTP status.</summary>
public sealed class ModelsLabMetrics
{
    public const string MeterName = "HeadShotEvents.ModelsLab";

    private readonly Histogram<double> _duration;
    private readonly Counter<long> _errors;

    public ModelsLabMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _duration = meter.CreateHistogram<double>("modelslab.call.duration", "s", "ModelsLab calls, by endpoint and HTTP status.");
        _errors = meter.CreateCounter<long>("modelslab.call.errors", "{call}", "ModelsLab calls that failed: an error status, HTTP 4xx/5xx, or no answer.");
    }

    public void Record(string endpoint, long startedAt, int? httpStatus, bool error)
    {
        var tags = new TagList
        {
            { "endpoint", endpoint },
            { "http.response.status_code", httpStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none" },
        };
        _duration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, tags);
        if (error)
        {
            _errors.Add(1, tags);
        }
    }
}
