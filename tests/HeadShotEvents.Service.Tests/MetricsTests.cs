using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using HeadShotEvents.ModelsLab;
using HeadShotEvents.Service.Callbacks;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Telemetry;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HeadShotEvents.Service.Tests;

public sealed class MetricsTests
{
    [Fact]
    public async Task A_run_with_a_success_a_duplicate_a_rejected_callback_and_a_failure_counts_each_once_under_its_label()
    {
        await using var waiting = await WaitingJob.StartAsync();
        using var metrics = new RecordedMetrics(waiting.Pipeline.Service.Services.GetRequiredService<IMeterFactory>());
        var service = waiting.Pipeline.Service;

        // A second job, to fail.
        var doomed = Pipeline.Request();
        await waiting.Pipeline.PublishAsync(doomed);
        var doomedJob = await Eventually.UntilAsync(() => service.JobAsync(doomed.RequestId), j => j?.State == JobState.Processing, Pipeline.Patience);
        var doomedToken = service.Services.GetRequiredService<WebhookTokens>().Mint(doomedJob!.TrackId);

        Assert.Equal(HttpStatusCode.OK, (await waiting.PostAsync(waiting.Token, waiting.SuccessBody(), "application/json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await waiting.PostAsync(waiting.Token, waiting.SuccessBody(), "application/json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await waiting.PostAsync("CfDJ8forged", waiting.SuccessBody(), "application/json")).StatusCode);
        var failed = $$"""{"status":"failed","id":{{doomedJob.ModelsLabId}},"message":"Processing failed","track_id":{{doomedJob.TrackId}}}""";
        Assert.Equal(HttpStatusCode.OK, (await waiting.PostAsync(doomedToken, failed, "application/json")).StatusCode);

        Assert.Equal(1, metrics.Sum("headshot.callbacks", "outcome", "completed"));
        Assert.Equal(1, metrics.Sum("headshot.callbacks", "outcome", "duplicate"));
        Assert.Equal(1, metrics.Sum("headshot.callbacks", "outcome", "invalid-token"));
        Assert.Equal(1, metrics.Sum("headshot.callbacks", "outcome", "failed"));
        Assert.Equal(4, metrics.Sum("headshot.callbacks"));
        Assert.Equal(1, metrics.Sum("headshot.completions", "delivery", "webhook"));
        Assert.Equal(1, metrics.Sum("headshot.failures", "reason", "GenerationFailed"));
        Assert.Equal(2, metrics.Count("headshot.time_to_outcome"));
        Assert.Equal(2, metrics.Count("headshot.callback.lateness"));
        // Only the second job was submitted after the listener started.
        Assert.Equal(1, metrics.Sum("headshot.requests.submitted"));
        Assert.Equal(1, metrics.Count("modelslab.call.duration", "endpoint", "head_shot"));
        Assert.Equal(0, metrics.Sum("modelslab.call.errors"));
    }

    [Fact]
    public async Task ModelsLab_errors_are_counted_by_status()
    {
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Settings = new Dictionary<string, string?> { ["ModelsLab:ApiKey"] = "not-a-valid-key" },
        });
        using var metrics = new RecordedMetrics(pipeline.Service.Services.GetRequiredService<IMeterFactory>());
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);

        Assert.Equal(1, metrics.Sum("modelslab.call.errors", "http.response.status_code", "401"));
        Assert.Equal(1, metrics.Sum("headshot.failures", "reason", "ModelsLabRejected"));
        Assert.Equal(0, metrics.Sum("headshot.requests.submitted"));
    }

    /// <summary>
    /// Listens to the instruments of ONE host's meter factory, so tests running side by side in this
    /// process never count each other's measurements.
    /// </summary>
    private sealed class RecordedMetrics : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

        public RecordedMetrics(IMeterFactory scope)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, scope)
                    && instrument.Meter.Name is HeadShotMetrics.MeterName or ModelsLabMetrics.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
            _listener.Start();
        }

        public double Sum(string instrument, string? tag = null, string? value = null) => Matching(instrument, tag, value).Sum(m => m.Value);

        public int Count(string instrument, string? tag = null, string? value = null) => Matching(instrument, tag, value).Count();

        private IEnumerable<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> Matching(string instrument, string? tag, string? value) =>
            _measurements.Where(m => m.Instrument == instrument
                && (tag is null || m.Tags.Any(t => t.Key == tag && Equals(t.Value?.ToString(), value))));

        public void Dispose() => _listener.Dispose();
    }
}
