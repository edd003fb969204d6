using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Outcomes;
using HeadShotEvents.Service.Tests.Infrastructure;
using static HeadShotEvents.Service.Tests.JobLog.Timelines;

namespace HeadShotEvents.Service.Tests.JobLog;

/// <summary>POST /headshots/{id}/replay on the real broker: the original MessageId, a replay header, one queue or all.</summary>
public sealed class ReplayTests
{
    [Fact]
    public async Task A_replay_to_all_gives_each_subscriber_one_more_copy_with_the_same_MessageId_and_the_replay_header()
    {
        await using var pipeline = await Pipeline.StartAsync();
        var request = Pipeline.Request();
        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);

        using var response = await pipeline.Service.HttpClient.PostAsync($"headshots/{request.RequestId}/replay", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(EventIds.Terminal(request.RequestId), (Guid)answer["messageId"]!);
        Assert.Equal("HeadShotCompleted", (string?)answer["event"]);
        Assert.Null(answer["queue"]);
        // Audited before the answer: no waiting here.
        var replayed = Assert.Single(Entries(await GetAsync(pipeline.Service, request.RequestId)), e => (string?)e["kind"] == "Replayed");
        Assert.Equal(EventIds.Terminal(request.RequestId), (Guid)replayed["messageId"]!);
        Assert.Null(replayed["queue"]);

        foreach (var subscriber in new[] { pipeline.Archiver, pipeline.Notifier })
        {
            await subscriber.Received.WaitForAsync(r => r.All<HeadShotCompleted>().Count == 2, Pipeline.Patience, "the replayed copy");
            var copies = subscriber.Received.WithReplayHeader<HeadShotCompleted>();
            Assert.All(copies, c => Assert.Equal(EventIds.Terminal(request.RequestId), c.MessageId));
            Assert.Equal([null, "true"], copies.Select(c => c.Replay));
            Assert.Equal(copies[0].Message.Outputs, copies[1].Message.Outputs);
        }
    }

    [Fact]
    public async Task A_replay_to_one_queue_reaches_that_queue_only()
    {
        await using var pipeline = await Pipeline.StartAsync();
        var request = Pipeline.Request();
        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);
        var archiverQueue = $"{pipeline.Service.EntityPrefix}-archiver";

        using var response = await pipeline.Service.HttpClient.PostAsJsonAsync($"headshots/{request.RequestId}/replay", new { queue = archiverQueue });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(archiverQueue, (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["queue"]);
        await pipeline.Archiver.Received.WaitForAsync(r => r.All<HeadShotCompleted>().Count == 2, Pipeline.Patience, "the replayed copy");
        Assert.Equal([null, "true"], pipeline.Archiver.Received.WithReplayHeader<HeadShotCompleted>().Select(c => c.Replay));
        // The positive later signal: an event published to both after the replay, received by both.
        var marker = await pipeline.SettleAsync();
        Assert.Single(pipeline.Notifier.Received.All<HeadShotCompleted>());
        var replayed = Assert.Single(Entries(await GetAsync(pipeline.Service, request.RequestId)), e => (string?)e["kind"] == "Replayed");
        Assert.Equal(archiverQueue, (string?)replayed["queue"]);

        // A failed job replays its HeadShotFailed.
        using var failed = await pipeline.Service.HttpClient.PostAsJsonAsync($"headshots/{marker}/replay",
            new { queue = $"{pipeline.Service.EntityPrefix}-notifier" });
        Assert.Equal("HeadShotFailed", (string?)(await failed.Content.ReadFromJsonAsync<JsonObject>())!["event"]);
        await pipeline.Notifier.Received.WaitForAsync(r => r.All<HeadShotFailed>().Count == 2, Pipeline.Patience, "the replayed failure");
        Assert.All(pipeline.Notifier.Received.WithReplayHeader<HeadShotFailed>(), c => Assert.Equal(EventIds.Terminal(marker), c.MessageId));
    }

    [Fact]
    public async Task A_job_not_yet_settled_is_a_409_and_an_unknown_one_a_404()
    {
        await using var waiting = await WaitingJob.StartAsync();
        var service = waiting.Pipeline.Service;

        using var notYet = await service.HttpClient.PostAsync($"headshots/{waiting.Job.RequestId}/replay", null);
        using var unknown = await service.HttpClient.PostAsync($"headshots/{Guid.NewGuid()}/replay", null);

        Assert.Equal(HttpStatusCode.Conflict, notYet.StatusCode);
        Assert.Equal("application/problem+json", notYet.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(Entries(await GetAsync(service, waiting.Job.RequestId)), e => (string?)e["kind"] == "Replayed");
    }

    [Theory]
    [InlineData("""{"queue":"amq.gen-abc"}""", "queue")]
    [InlineData("""{"queue":"has space"}""", "queue")]
    [InlineData("""{"queue":"slash/in/it"}""", "queue")]
    [InlineData("""{"queue":""}""", "queue")]
    [InlineData("""{"queue":"LONG"}""", "queue")]
    [InlineData("""["queue"]""", "$")]
    public async Task A_bad_queue_name_is_a_400_naming_it_and_sends_nothing(string body, string field)
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { UseSqlite = true, Roles = "Api" });
        var job = JobLogSeed.Job(JobLogSeed.Noon);
        await JobLogSeed.AddAsync(service, job);

        using var response = await service.HttpClient.PostAsync($"headshots/{job.RequestId}/replay",
            new StringContent(body.Replace("LONG", new string('q', 256), StringComparison.Ordinal), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal([field], problem["errors"]!.AsObject().Select(e => e.Key));
        Assert.DoesNotContain(Entries(await GetAsync(service, job.RequestId)), e => (string?)e["kind"] == "Replayed");
    }
}
