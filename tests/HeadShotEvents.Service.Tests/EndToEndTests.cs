using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Outcomes;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using MassTransit;

namespace HeadShotEvents.Service.Tests;

/// <summary>The whole path over real RabbitMQ, PostgreSQL (or SQLite) and the simulator on loopback.</summary>
public sealed class EndToEndTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_request_completes_exactly_once_at_each_of_two_subscriber_queues(bool sqlite)
    {
        const int n = 20;
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options { UseSqlite = sqlite });
        var requests = Enumerable.Range(0, n).Select(_ => Pipeline.Request()).ToList();

        await Task.WhenAll(requests.Select(pipeline.PublishAsync));
        await pipeline.WaitForTerminalAsync([.. requests.Select(r => r.RequestId)]);
        var marker = await pipeline.SettleAsync();

        foreach (var subscriber in new[] { pipeline.Archiver, pipeline.Notifier })
        {
            var completed = subscriber.Received.WithIds<HeadShotCompleted>();
            Assert.Equal(n, completed.Count);
            Assert.Equal([marker], subscriber.Received.All<HeadShotFailed>().Select(f => f.RequestId));
            Assert.Equal(requests.Select(r => r.RequestId).Order(), completed.Select(c => c.Message.RequestId).Order());
            Assert.All(completed, c =>
            {
                Assert.Equal(EventIds.Terminal(c.Message.RequestId), c.MessageId);
                Assert.Equal(HeadShotDelivery.Webhook, c.Message.Delivery);
                Assert.Equal("c-42", c.Message.Metadata!["customer"]);
                Assert.Single(c.Message.Outputs);
                Assert.InRange(c.Message.OutputsExpireAt - c.Message.CompletedAt, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24.1));
            });
        }

        using var http = new HttpClient();
        foreach (var output in pipeline.Archiver.Received.All<HeadShotCompleted>().SelectMany(c => c.Outputs).Take(5))
        {
            using var response = await http.GetAsync(output);
            Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
            var png = PngImage.Decode(await response.Content.ReadAsByteArrayAsync());
            Assert.True(png.Width > 0 && png.Height > 0);
        }

        var stats = await pipeline.Service.Simulator.GetStatsAsync();
        Assert.Equal(n, stats.HeadShotCalls);
        Assert.Equal(n + 1, await pipeline.Service.JobCountAsync()); // and the marker's
    }

    [Fact]
    public async Task Processing_then_webhook_publishes_submitted_then_completed()
    {
        // Two seconds to generate, not 200 ms: the submitter must record ModelsLab's answer before
        // the webhook settles the job, or (rightly) no HeadShotSubmitted is published at all.
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Simulator = new Dictionary<string, string?> { ["Simulator:GenerationTime"] = "00:00:02" },
        });
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);

        // Subscribers may hear the event before the service deletes its owed event.
        var job = await pipeline.Service.JobAsync(request.RequestId);
        await Eventually.UntilAsync(() => pipeline.Service.OwesEventAsync(job!.TrackId), owes => !owes, what: "the event no longer owed");
        Assert.Equal(JobState.Completed, job!.State);
        var submitted = Assert.Single(pipeline.Archiver.Received.All<HeadShotSubmitted>());
        Assert.Equal(job.TrackId, submitted.TrackId);
        Assert.Equal(job.ModelsLabId, submitted.ModelsLabId);
        var completed = Assert.Single(pipeline.Archiver.Received.All<HeadShotCompleted>());
        Assert.Equal(HeadShotDelivery.Webhook, completed.Delivery);
        Assert.Equal(job.TrackId, completed.TrackId);
        Assert.Equal(job.ModelsLabId, completed.ModelsLabId);
    }

    [Fact]
    public async Task Immediate_success_completes_at_once_and_the_later_webhook_is_a_duplicate()
    {
        // The simulator still sends a webhook for a job it answered at once, as a real one may:
        // delayed here (5 s: the submitter must have recorded the answer first, on a loaded machine too)
        // so the immediate answer is certainly first.
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Simulator = new Dictionary<string, string?>
            {
                ["Simulator:Faults:ImmediateSuccessShare"] = "1.0",
                ["Simulator:Faults:WebhookDelay"] = "00:00:05",
            },
        });
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);
        await Eventually.UntilAsync(() => pipeline.Service.Simulator.GetStatsAsync(), s => s.WebhooksSent >= 1,
            Pipeline.Patience, "the late webhook to be answered");
        // A second publish the webhook caused would still be on its way: the marker's terminal event,
        // heard and confirmed, comes after it.
        var marker = await pipeline.SettleAsync();
        await pipeline.WaitForPublishedTerminalAsync(request.RequestId, marker);

        var completed = Assert.Single(pipeline.Notifier.Received.All<HeadShotCompleted>());
        Assert.Equal(HeadShotDelivery.Immediate, completed.Delivery);
        Assert.NotEmpty(completed.Outputs);
        Assert.Empty(pipeline.Notifier.Received.All<HeadShotSubmitted>());
        Assert.Equal(2, pipeline.Published.Terminal); // the request's and the marker's
    }

    [Fact]
    public async Task A_generation_failure_reported_by_webhook_fails_the_request()
    {
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Simulator = new Dictionary<string, string?>
            {
                ["Simulator:Faults:FailGenerationShare"] = "1.0",
                ["Simulator:Faults:FailureStatus"] = "Error",
                ["Simulator:Faults:MessageField"] = "Messege",
            },
        });
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);

        var failed = Assert.Single(pipeline.Notifier.Received.All<HeadShotFailed>());
        Assert.Equal(HeadShotFailureReason.GenerationFailed, failed.Reason);
        Assert.StartsWith("Processing failed", failed.Message);
        Assert.NotNull(failed.ModelsLabId);
    }

    [Fact]
    public async Task A_duplicated_webhook_publishes_nothing_new()
    {
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Simulator = new Dictionary<string, string?> { ["Simulator:Faults:DuplicateWebhookShare"] = "1.0" },
        });
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);
        await Eventually.UntilAsync(() => pipeline.Service.Simulator.GetStatsAsync(), s => s.WebhooksSent >= 2, what: "both copies of the webhook");
        // The publish observer hears of the job's publish on its confirm, which may come after the
        // subscribers have the marker: both publishes are waited for.
        var marker = await pipeline.SettleAsync();
        await pipeline.WaitForPublishedTerminalAsync(request.RequestId, marker);

        Assert.Single(pipeline.Archiver.Received.All<HeadShotCompleted>());
        Assert.Single(pipeline.Notifier.Received.All<HeadShotCompleted>());
        Assert.Single(pipeline.Published.All<HeadShotCompleted>());
    }
}
