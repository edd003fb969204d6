using System.Diagnostics;
using System.Security.Cryptography;
using HeadShotEvents.Archiving;
using HeadShotEvents.Archiving.Storage;
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
        // HeadShotArchived is published before the receipt is written: a redelivery is one once the first consume has ended.
        await rig.Spans.WaitForArchiveOutcomeAsync(completed.RequestId, "archived", ArchiveRig.Patience);
        using var s3 = await S3Server.ClientAsync();
        var before = await BucketObjects.ImagesAsync(s3, rig.Archiver.KeyPrefix + completed.RequestId);

        await rig.PublishAsync(completed); // the same message again, same MessageId
        var outcomes = (await rig.Spans.WaitForArchivesAsync(completed.RequestId, 2, ArchiveRig.Patience))
            .Select(span => (string?)span.GetTagItem(ArchiverTelemetry.OutcomeTag)).Order();
        Assert.Equal(["already-archived", "archived"], outcomes);

        // A later request's announcement arrives after any the duplicate could have caused.
        var later = ArchiveRig.Completion(await rig.Simulator.GenerateAsync(samples: 1));
        await rig.PublishAsync(later);
        await rig.Watcher.ArchivedAsync(later.RequestId, ArchiveRig.Patience);

        Assert.Single(rig.Watcher.Received<HeadShotArchived>(), e => e.Message.RequestId == completed.RequestId);
        var after = await BucketObjects.ImagesAsync(s3, rig.Archiver.KeyPrefix + completed.RequestId);
        Assert.Equal(before, after);
        Assert.Equal(first.Images.Select(i => i.Key).Order(), after.Keys.Order());
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
        // The consume span ends (and is recorded) after its child, the archive span: waited for.
        var spans = await Eventually.UntilAsync(() => Task.FromResult(rig.Spans.All), all => all.Any(span => span.SpanId == archive.ParentSpanId),
            ArchiveRig.Patience, "the archive span's parent to be recorded");
        var parent = Assert.Single(spans, span => span.SpanId == archive.ParentSpanId);
        Assert.Equal("MassTransit", parent.Source.Name);
        Assert.Equal(ActivityKind.Consumer, parent.Kind);
        Assert.Contains(rig.Spans.All, span => span.OperationName == "headshot.archive.download" && span.ParentSpanId == archive.SpanId);
        Assert.Contains(rig.Spans.All, span => span.OperationName == "headshot.archive.store" && span.ParentSpanId == archive.SpanId);
    }
}
