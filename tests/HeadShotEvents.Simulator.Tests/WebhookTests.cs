using System.Net;
using System.Text.Json;
using HeadShotEvents.Testing;
using static HeadShotEvents.Simulator.Tests.ModelsLabCalls;

namespace HeadShotEvents.Simulator.Tests;

public sealed class WebhookTests
{
    [Fact]
    public async Task A_finished_job_posts_its_result_with_outputs_that_download_as_valid_pngs()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var simulator = await TestSimulator.StartAsync();
        var submitted = await simulator.SubmitAsync(HeadShotBody(webhook: listener.UrlFor("webhooks/modelslab/token-1"), trackId: 7).With("samples", 2));

        var webhook = Assert.Single(await listener.WaitForAsync(1));

        Assert.Equal("/webhooks/modelslab/token-1", webhook.Path);
        Assert.StartsWith("application/json", webhook.Headers["Content-Type"]);
        var body = webhook.Json();
        Assert.Equal("success", (string?)body["status"]);
        Assert.Equal(submitted.Id, (long)body["id"]!);
        Assert.Equal(JsonValueKind.String, body["track_id"]!.GetValueKind());
        Assert.Equal("7", (string?)body["track_id"]);
        Assert.Equal(JsonValueKind.Number, body["generationTime"]!.GetValueKind());
        Assert.Equal("complete", (string?)body["webhook_status"]);
        Assert.Equal("pretty woman", (string?)body["meta"]!["prompt"]);
        var outputs = body["output"].Strings();
        Assert.Equal(submitted.Body["future_links"].Strings(), outputs);
        Assert.Equal(2, outputs.Length);
        foreach (var output in outputs)
        {
            using var response = await simulator.HttpClient.GetAsync(output);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
            var png = PngImage.Decode(await response.Content.ReadAsByteArrayAsync());
            Assert.Equal((64, 64), (png.Width, png.Height));
            Assert.Equal(["IHDR", "IDAT", "IEND"], png.ChunkTypes);
        }
    }

    [Fact]
    public async Task Track_id_can_be_written_as_a_number()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var simulator = await TestSimulator.StartAsync(new SimulatorFaults { TrackIdAs = TrackIdFormat.Number });
        await simulator.SubmitAsync(HeadShotBody(webhook: listener.UrlFor(), trackId: 7));

        var body = Assert.Single(await listener.WaitForAsync(1)).Json();

        Assert.Equal(JsonValueKind.Number, body["track_id"]!.GetValueKind());
        Assert.Equal(7, (long)body["track_id"]!);
    }

    [Fact]
    public async Task With_duplicate_share_1_every_webhook_arrives_twice()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var simulator = await TestSimulator.StartAsync(new SimulatorFaults { DuplicateWebhookShare = 1.0 });
        var first = await simulator.SubmitAsync(HeadShotBody(webhook: listener.UrlFor(), trackId: 1));
        var second = await simulator.SubmitAsync(HeadShotBody(webhook: listener.UrlFor(), trackId: 2));

        await listener.WaitForAsync(4);
        await Eventually.UntilAsync(() => simulator.GetStatsAsync(), stats => stats.WebhooksSent == 4);

        var ids = listener.Received.Select(webhook => (long)webhook.Json()["id"]!).Order().ToArray();
        Assert.Equal([first.Id, first.Id, second.Id, second.Id], ids);
        Assert.All(listener.Received, webhook => Assert.Equal("success", (string?)webhook.Json()["status"]));
    }

    [Fact]
    public async Task With_drop_share_1_no_webhook_arrives_but_fetch_still_succeeds()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var simulator = await TestSimulator.StartAsync(new SimulatorFaults { DropWebhookShare = 1.0 });
        var submitted = await simulator.SubmitAsync(HeadShotBody(webhook: listener.UrlFor(), trackId: 3));

        var fetched = await Eventually.UntilAsync(() => simulator.FetchAsync(submitted.Id), reply => reply.BodyStatus != "processing");
        var stats = await Eventually.UntilAsync(() => simulator.GetStatsAsync(), stats => stats.WebhooksDropped == 1);

        Assert.Equal("success", fetched.BodyStatus);
        Assert.Equal(0, stats.WebhooksSent);
        // The drop is counted when the webhook would have been sent, so nothing can still be on its way.
        Assert.Empty(listener.Received);
    }

    [Fact]
    public async Task A_failed_generation_reports_error_and_messege_when_told_to()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var simulator = await TestSimulator.StartAsync(new SimulatorFaults
        {
            FailGenerationShare = 1.0,
            FailureStatus = FailureStatus.Error,
            MessageField = MessageField.Messege,
        });
        var submitted = await simulator.SubmitAsync(HeadShotBody(webhook: listener.UrlFor(), trackId: 5));

        var body = Assert.Single(await listener.WaitForAsync(1)).Json();
        var fetched = await simulator.FetchAsync(submitted.Id);

        Assert.Equal("error", (string?)body["status"]);
        Assert.Equal(submitted.Id, (long)body["id"]!);
        Assert.Equal("5", (string?)body["track_id"]);
        Assert.StartsWith("Processing failed: ", (string?)body["messege"]);
        Assert.Null(body["message"]);
        Assert.Equal("error", fetched.BodyStatus);
        Assert.StartsWith("Processing failed: ", (string?)fetched.Body["messege"]);
    }

    [Fact]
    public async Task A_failed_generation_reports_failed_and_message_by_default()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var simulator = await TestSimulator.StartAsync(new SimulatorFaults { FailGenerationShare = 1.0 });
        await simulator.SubmitAsync(HeadShotBody(webhook: listener.UrlFor(), trackId: 5));

        var body = Assert.Single(await listener.WaitForAsync(1)).Json();

        Assert.Equal("failed", (string?)body["status"]);
        Assert.StartsWith("Processing failed: ", (string?)body["message"]);
        Assert.Null(body["output"]);
    }

    [Fact]
    public async Task A_processing_webhook_can_come_before_the_result()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var simulator = await TestSimulator.StartAsync(new SimulatorFaults { SendProcessingWebhook = true });
        var submitted = await simulator.SubmitAsync(HeadShotBody(webhook: listener.UrlFor(), trackId: 8));

        var webhooks = await listener.WaitForAsync(2);

        var processing = webhooks[0].Json();
        Assert.Equal("processing", (string?)processing["status"]);
        Assert.Equal(submitted.Id, (long)processing["id"]!);
        Assert.Equal("8", (string?)processing["track_id"]);
        Assert.NotNull(processing["eta"]);
        Assert.Equal("success", (string?)webhooks[1].Json()["status"]);
        Assert.True(webhooks[1].ReceivedAt >= webhooks[0].ReceivedAt);
    }

    [Fact]
    public async Task A_failing_receiver_is_retried_a_few_times_then_given_up()
    {
        await using var listener = await WebhookListener.StartAsync(HttpStatusCode.InternalServerError);
        await using var simulator = await TestSimulator.StartAsync(configure: options => options.WebhookAttempts = 3);
        await simulator.SubmitAsync(HeadShotBody(webhook: listener.UrlFor(), trackId: 9));

        await listener.WaitForAsync(3);
        var stats = await Eventually.UntilAsync(() => simulator.GetStatsAsync(), stats => stats.WebhooksUndelivered == 1);

        Assert.Equal(3, stats.WebhookAttemptsFailed);
        Assert.Equal(0, stats.WebhooksSent);
        Assert.Equal(3, listener.Received.Count);
    }

    [Fact]
    public async Task A_receiver_that_recovers_gets_the_webhook_on_a_later_attempt()
    {
        await using var listener = await WebhookListener.StartAsync(HttpStatusCode.ServiceUnavailable);
        // A second between attempts, not the suite's 50 ms: the test must switch the answer to OK
        // before the attempts run out, which 4 x 50 ms did not always allow on a loaded machine.
        await using var simulator = await TestSimulator.StartAsync(configure: options =>
        {
            options.WebhookAttempts = 5;
            options.WebhookRetryDelay = TimeSpan.FromSeconds(1);
        });
        await simulator.SubmitAsync(HeadShotBody(webhook: listener.UrlFor(), trackId: 10));

        await listener.WaitForAsync(1);
        listener.AnswerStatusCode = HttpStatusCode.OK;
        // Up to four pauses of a second before the last attempt, plus the default ten seconds.
        var stats = await Eventually.UntilAsync(() => simulator.GetStatsAsync(), stats => stats.WebhooksSent == 1, TimeSpan.FromSeconds(14));

        Assert.Equal(0, stats.WebhooksUndelivered);
        Assert.InRange(stats.WebhookAttemptsFailed, 1, 4);
    }

    [Fact]
    public async Task Webhook_delay_holds_the_webhook_back_after_the_generation()
    {
        var delay = TimeSpan.FromMilliseconds(400);
        await using var listener = await WebhookListener.StartAsync();
        await using var simulator = await TestSimulator.StartAsync(new SimulatorFaults { WebhookDelay = delay });
        var submittedBefore = DateTimeOffset.UtcNow;
        var submitted = await simulator.SubmitAsync(HeadShotBody(webhook: listener.UrlFor(), trackId: 11));

        var webhook = Assert.Single(await listener.WaitForAsync(1));

        // A lower bound only: it can never arrive earlier, however slow the machine.
        Assert.True(webhook.ReceivedAt - submittedBefore >= TestSimulator.GenerationTime + delay);
        Assert.Equal(submitted.Id, (long)webhook.Json()["id"]!);
    }
}
