using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Amazon.S3.Model;
using HeadShotEvents.Archiver.Archiving;
using HeadShotEvents.Archiver.Storage;
using HeadShotEvents.Archiver.Tests.Infrastructure;
using HeadShotEvents.Contracts;
using HeadShotEvents.Testing;

namespace HeadShotEvents.Archiver.Tests;

/// <summary>The archiver on a real RabbitMQ and a real S3 server, archiving the simulator's real PNGs over loopback.</summary>
public sealed class ArchivingTests
{
    [Fact]
    public async Task Every_output_is_stored_with_its_hash_size_and_dimensions_and_announced_once()
    {
        await using var rig = await ArchiveRig.StartAsync();
        var outputs = await rig.Simulator.GenerateAsync(samples: 2);
        Assert.Equal(2, outputs.Count);
        var completed = ArchiveRig.Completion(outputs);

        await rig.PublishAsync(completed);
        var archived = await rig.Watcher.ArchivedAsync(completed.RequestId, ArchiveRig.Patience);

        Assert.Equal(completed.Metadata, archived.Metadata);
        Assert.Equal(2, archived.Images.Count);
        using var s3 = await S3Server.ClientAsync();
        for (var index = 0; index < 2; index++)
        {
            var image = archived.Images[index];
            var (status, original) = await rig.Simulator.GetAsync(outputs[index]);
            Assert.Equal(200, status);
            Assert.Equal(index, image.Index);
            Assert.Equal(outputs[index], image.SourceUrl);
            Assert.Equal($"{rig.Archiver.KeyPrefix}{completed.RequestId}/{index}.png", image.Key);
            Assert.Equal($"s3://{S3Server.Bucket}/{image.Key}", image.Url);
            Assert.Equal("image/png", image.ContentType);

            // The object exists in the bucket and is exactly the simulator's PNG.
            using var stored = await s3.GetObjectAsync(S3Server.Bucket, image.Key);
            using var bytes = new MemoryStream();
            await stored.ResponseStream.CopyToAsync(bytes);
            Assert.Equal(original, bytes.ToArray());
            Assert.Equal("image/png", stored.Headers.ContentType);
            Assert.Equal(image.Sha256, stored.Metadata[S3ArchiveStore.Sha256Metadata]);

            var png = PngImage.Decode(bytes.ToArray());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(original)), image.Sha256);
            Assert.InRange(image.SizeBytes, original.Length, original.Length);
            Assert.InRange(image.SizeBytes, 100, 64 * 1024);
            Assert.InRange(image.Width, png.Width, png.Width);
            Assert.InRange(image.Height, png.Height, png.Height);
            Assert.InRange(png.Width, 64, 64);
        }

        var (_, messageId) = Assert.Single(rig.Watcher.Received<HeadShotArchived>());
        Assert.Equal(ArchiveEventIds.Archived(completed.RequestId), messageId);
    }

    [Fact]
    public async Task A_redelivered_completion_keeps_the_same_objects_and_announces_nothing_new()
    {
        await using var rig = await ArchiveRig.StartAsync();
        var completed = ArchiveRig.Completion(await rig.Simulator.GenerateAsync(samples: 2));
        await rig.PublishAsync(completed);
        var first = await rig.Watcher.ArchivedAsync(completed.RequestId, ArchiveRig.Patience);
        using var s3 = await S3Server.ClientAsync();
        var before = await ImagesAsync(s3, rig.Archiver.KeyPrefix + completed.RequestId);

        await rig.PublishAsync(completed); // the same message again, same MessageId
        var second = (await rig.Spans.WaitForArchivesAsync(completed.RequestId, 2, ArchiveRig.Patience))
            .Single(span => span != rig.Spans.Archives(completed.RequestId)[0]);
        Assert.Equal("already-archived", second.GetTagItem(ArchiverTelemetry.OutcomeTag));

        // A later request's announcement arrives after any the duplicate could have caused.
        var later = ArchiveRig.Completion(await rig.Simulator.GenerateAsync(samples: 1));
        await rig.PublishAsync(later);
        await rig.Watcher.ArchivedAsync(later.RequestId, ArchiveRig.Patience);

        Assert.Single(rig.Watcher.Received<HeadShotArchived>(), e => e.Message.RequestId == completed.RequestId);
        var after = await ImagesAsync(s3, rig.Archiver.KeyPrefix + completed.RequestId);
        Assert.Equal(before, after);
        Assert.Equal(first.Images.Select(i => i.Key).Order(), after.Keys.Order());
    }

    [Fact]
    public async Task An_output_that_answers_404_at_first_is_archived_once_it_appears()
    {
        await using var rig = await ArchiveRig.StartAsync(simulator: options => options.GenerationTime = TimeSpan.FromSeconds(1.5));
        var outputs = await rig.Simulator.GenerateAsync(samples: 1);
        Assert.Equal(404, (await rig.Simulator.GetAsync(outputs[0])).Status);
        var completed = ArchiveRig.Completion(outputs);

        await rig.PublishAsync(completed);
        var archived = await rig.Watcher.ArchivedAsync(completed.RequestId, ArchiveRig.Patience);

        var image = Assert.Single(archived.Images);
        Assert.Equal(PngImage.Decode((await rig.Simulator.GetAsync(outputs[0])).Body).Width, image.Width);
        var archive = Assert.Single(await rig.Spans.WaitForArchivesAsync(completed.RequestId, 1, ArchiveRig.Patience));
        var download = rig.Spans.All.Single(span => span.OperationName == "headshot.archive.download" && span.ParentSpanId == archive.SpanId);
        // 1.5 s of 404s at 0.1 to 0.4 s pauses: a few attempts, not one and not a storm.
        Assert.InRange((int)download.GetTagItem("headshot.download.attempts")!, 2, 30);
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
        Assert.Empty(await ObjectsAsync(s3, rig.Archiver.KeyPrefix + completed.RequestId));
    }

    [Fact]
    public async Task An_output_still_failing_when_the_hold_ends_is_parked_and_archived_once_it_appears()
    {
        // Each delivery may retry for 1 s; the output appears after 3 s: only a parked message gets there.
        await using var rig = await ArchiveRig.StartAsync(
            simulator: options => options.GenerationTime = TimeSpan.FromSeconds(3),
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
        // 3 s of 404s in deliveries of 1 s plus 0.5 s parked: two or three parkings, then the archive.
        Assert.InRange(outcomes.Count, 2, 5);
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

    [Fact]
    public async Task Archive_spans_are_children_of_the_consume_in_the_publishers_trace()
    {
        await using var rig = await ArchiveRig.StartAsync();
        var completed = ArchiveRig.Completion(await rig.Simulator.GenerateAsync(samples: 1));
        ActivityTraceId traceId;
        using (var publish = SpanRecorder.TestSource.StartActivity("test.publish-completed"))
        {
            traceId = publish!.TraceId;
            await rig.PublishAsync(completed);
        }

        await rig.Watcher.ArchivedAsync(completed.RequestId, ArchiveRig.Patience);
        var archive = Assert.Single(await rig.Spans.WaitForArchivesAsync(completed.RequestId, 1, ArchiveRig.Patience));

        Assert.Equal(traceId, archive.TraceId);
        var parent = Assert.Single(rig.Spans.All, span => span.SpanId == archive.ParentSpanId);
        Assert.Equal("MassTransit", parent.Source.Name);
        Assert.Equal(ActivityKind.Consumer, parent.Kind);
        Assert.Contains(rig.Spans.All, span => span.OperationName == "headshot.archive.download" && span.ParentSpanId == archive.SpanId);
        Assert.Contains(rig.Spans.All, span => span.OperationName == "headshot.archive.store" && span.ParentSpanId == archive.SpanId);
    }

    /// <summary>The image objects under <paramref name="prefix"/> (not the receipt): key to ETag.</summary>
    private static async Task<Dictionary<string, string>> ImagesAsync(Amazon.S3.IAmazonS3 s3, string prefix) =>
        (await ObjectsAsync(s3, prefix)).Where(o => o.Key.EndsWith(".png", StringComparison.Ordinal)).ToDictionary();

    /// <summary>Every object under <paramref name="prefix"/>: key to ETag.</summary>
    private static async Task<Dictionary<string, string>> ObjectsAsync(Amazon.S3.IAmazonS3 s3, string prefix)
    {
        var listing = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = S3Server.Bucket, Prefix = prefix });
        return (listing.S3Objects ?? []).ToDictionary(o => o.Key, o => o.ETag);
    }
}
