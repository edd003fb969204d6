using System.Text;
using HeadShotEvents.Service.Telemetry;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// Jaeger cannot run here, so a loopback listener stands in for its OTLP/HTTP port: the standard
/// OTEL_* settings alone must make the service really send its spans, metrics and logs.
/// </summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task The_OTLP_exporter_sends_the_runs_spans_under_the_roles_service_name()
    {
        await using var collector = await WebhookListener.StartAsync();
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Settings = new Dictionary<string, string?>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.BaseAddress.AbsoluteUri.TrimEnd('/'),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            },
        });
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);

        var traces = await Eventually.UntilAsync(
            () => Task.FromResult(collector.Received.Where(r => r.Path == "/v1/traces").ToList()),
            posts => posts.Any(p => Contains(p.Body, HeadShotTelemetry.CallbackActivity)),
            Pipeline.Patience, "an OTLP trace export holding the callback span");
        var export = traces.First(p => Contains(p.Body, HeadShotTelemetry.CallbackActivity));
        Assert.Equal("application/x-protobuf", export.Headers["Content-Type"]);
        Assert.True(Contains(export.Body, "headshotevents-submitter-receiver-api"), "the service.name of the roles that ran");
        Assert.True(Contains(export.Body, request.RequestId.ToString()), "the request id tag");
        Assert.False(traces.Any(p => Contains(p.Body, "CfDJ8")), "no webhook token in any exported span");
        await Eventually.UntilAsync(() => Task.FromResult(collector.Received.Any(r => r.Path == "/v1/metrics")), sent => sent,
            Pipeline.Patience, "an OTLP metrics export");
    }

    private static bool Contains(byte[] body, string text) =>
        body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}
