using System.Diagnostics;
using System.Net;
using HeadShotEvents.Archiving;
using HeadShotEvents.Archiver.Tests.Infrastructure;
using HeadShotEvents.Contracts;
using HeadShotEvents.Testing;

namespace HeadShotEvents.Archiver.Tests;

/// <summary>Outputs that are not there yet, never come back, or point inside the network: retried, parked, expired or refused.</summary>
public sealed class RetryAndRefusalTests
{
    [Fact]
    public async Task An_output_that_answers_404_at_first_is_archived_once_it_appears()
    {
        // 4 s: the test's own GET and the archiver's first download both come before the output does,
        // however slowly a loaded machine publishes and delivers (1.5 s was tight for that).
        await using var rig = await ArchiveRig.StartAsync(simulator: options => options.GenerationTime = TimeSpan.FromSeconds(4));
        var outputs = await rig.Simulator.GenerateAsync(samples: 1);
        Assert.Equal(404, (await rig.Simulator.GetAsync(outputs[0])).Status);
        var completed = ArchiveRig.Completion(outputs);

        await rig.PublishAsync(completed);
        var archived = await rig.Watcher.ArchivedAsync(completed.RequestId, ArchiveRig.Patience);

        var image = Assert.Single(archived.Images);
        Assert.Equal(PngImage.Decode((await rig.Simulator.GetAsync(outputs[0])).Body).Width, image.Width);
        var archive = Assert.Single(await rig.Spans.WaitForArchivesAsync(completed.RequestId, 1, ArchiveRig.Patience));
        var download = rig.Spans.All.Single(span => span.OperationName == "headshot.archive.download" && span.ParentSpanId == archive.SpanId);
        // At most 4 s of 404s at 0.1 to 0.4 s pauses: a few attempts, not one and not a storm.
        Assert.InRange((int)download.GetTagItem("headshot.download.attempts")!, 2, 45);
    }

    [Fact]
    public async Task An_output_that_expires_while_failing_ends_in_HeadShotArchiveFailed()
    {
        await using var rig = await ArchiveRig.StartAsync(simulator: options => options.OutputLifetime = TimeSpan.FromMilliseconds(100));
        var outputs = await rig.Simulator.GenerateAsync(samples: 1);
        await Eventually.UntilAsync(() => rig.Simulator.GetAsync(outputs[0]), answer => answer.Status == 404, what: "the output's deletion");
        var completed = ArchiveRig.Completion(outputs, expiresAt: DateTimeOffset.UtcNow.AddSeconds(1.5));
        var started = Stopwatch.StartNew();

        await rig.PublishAsync(completed);
        var failed = await rig.Watcher.ArchiveFailedAsync(completed.RequestId, ArchiveRig.Patience);

        Assert.Equal(HeadShotArchiveFailureReason.Expired, failed.Reason);
        Assert.Equal(0, failed.OutputIndex);
        Assert.Contains("404", failed.Message, StringComparison.Ordinal);
        Assert.Equal(completed.Metadata, failed.Metadata);
        // It kept trying until the expiry, then stopped.
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20));
        var (_, messageId) = Assert.Single(rig.Watcher.Received<HeadShotArchiveFailed>());
        Assert.Equal(ArchiveEventIds.ArchiveFailed(completed.RequestId), messageId);
        Assert.Empty(rig.Watcher.Received<HeadShotArchived>());
        using var s3 = await S3Server.ClientAsync();
        Assert.Empty(await BucketObjects.AllAsync(s3, rig.Archiver.KeyPrefix + completed.RequestId));
    }

    [Fact]
    public async Task An_output_still_failing_when_the_hold_ends_is_parked_and_archived_once_it_appears()
    {
        // Each delivery may retry for 1 s; the output appears after 4.5 s: only a parked message gets
        // there, even if the first delivery starts seconds late on a loaded machine.
        await using var rig = await ArchiveRig.StartAsync(
            simulator: options => options.GenerationTime = TimeSpan.FromSeconds(4.5),
            archiverSettings: new Dictionary<string, string?> { ["Archive:MaxHold"] = "00:00:01", ["Archive:ParkDelay"] = "00:00:00.500" });
        var completed = ArchiveRig.Completion(await rig.Simulator.GenerateAsync(samples: 1));
        ActivityTraceId traceId;
        using (var publish = SpanRecorder.TestSource.StartActivity("test.publish-completed"))
        {
            traceId = publish!.TraceId;
            await rig.PublishAsync(completed);
        }

        var archived = await rig.Watcher.ArchivedAsync(completed.RequestId, ArchiveRig.Patience);

        Assert.Single(archived.Images);
        var deliveries = await rig.Spans.WaitForArchiveOutcomeAsync(completed.RequestId, "archived", ArchiveRig.Patience);
        var outcomes = deliveries.OrderBy(span => span.StartTimeUtc).Select(span => (string?)span.GetTagItem(ArchiverTelemetry.OutcomeTag)).ToList();
        // Up to 4.5 s of 404s in deliveries of 1 s plus 0.5 s parked: one to three parkings, then the archive.
        Assert.InRange(outcomes.Count, 2, 6);
        Assert.All(outcomes[..^1], outcome => Assert.Equal("parked", outcome));
        Assert.Equal("archived", outcomes[^1]);
        Assert.All(deliveries, span => Assert.Equal(traceId, span.TraceId)); // the trace survives the parking
        Assert.InRange(await Broker.MessageCountAsync(rig.ErrorQueue), 0u, 0u);
        Assert.Single(rig.Watcher.Received<HeadShotArchived>(), e => e.Message.RequestId == completed.RequestId);
    }

    [Fact]
    public async Task A_name_that_resolves_to_loopback_is_refused_when_connecting()
    {
        // The URL names a host, not an address: only the connect-time check can see it is 127.0.0.1.
        await using var rig = await ArchiveRig.StartAsync(
            archiverSettings: new Dictionary<string, string?>
            {
                ["Downloads:DevelopmentHosts:0"] = "images.archive-test", // http is fine for it; its address is not
                ["Downloads:AllowInternalAddresses"] = "false",
            },
            hostNames: new Dictionary<string, IPAddress> { ["images.archive-test"] = IPAddress.Loopback });
        var output = new UriBuilder((await rig.Simulator.GenerateAsync(samples: 1))[0]) { Host = "images.archive-test" }.Uri.AbsoluteUri;
        Assert.Equal(200, (await rig.Simulator.GetAsync(output.Replace("images.archive-test", "127.0.0.1", StringComparison.Ordinal))).Status);
        var completed = ArchiveRig.Completion([output]);

        await rig.PublishAsync(completed);
        var failed = Assert.IsType<HeadShotArchiveFailed>(await rig.Watcher.OutcomeAsync(completed.RequestId, ArchiveRig.Patience));

        Assert.Equal(HeadShotArchiveFailureReason.UrlRefused, failed.Reason);
        Assert.Contains("127.0.0.1", failed.Message, StringComparison.Ordinal);
        Assert.Empty(rig.Watcher.Received<HeadShotArchived>());
    }

    [Fact]
    public async Task The_same_mapped_name_is_archived_where_internal_addresses_are_allowed()
    {
        // The control for the test above: the mapping works, so the refusal there is the address check's.
        await using var rig = await ArchiveRig.StartAsync(
            archiverSettings: new Dictionary<string, string?> { ["Downloads:DevelopmentHosts:0"] = "images.archive-test" },
            hostNames: new Dictionary<string, IPAddress> { ["images.archive-test"] = IPAddress.Loopback });
        var output = new UriBuilder((await rig.Simulator.GenerateAsync(samples: 1))[0]) { Host = "images.archive-test" }.Uri.AbsoluteUri;
        var completed = ArchiveRig.Completion([output]);

        await rig.PublishAsync(completed);

        Assert.Single((await rig.Watcher.ArchivedAsync(completed.RequestId, ArchiveRig.Patience)).Images);
    }
}
