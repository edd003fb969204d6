using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Outcomes;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using MassTransit;

namespace HeadShotEvents.Service.Tests;

/// <summary>The submitter's answers to each kind of ModelsLab reply, and what it refuses to send at all.</summary>
public sealed class SubmitterTests
{
    [Fact]
    public async Task A_full_ModelsLab_queue_answered_429_is_waited_out_and_each_request_generated_once()
    {
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            // A job holds the one queue place for its 2 s of generation: the three submits, however far
            // apart a loaded machine makes them, meet a full queue.
            Simulator = new Dictionary<string, string?>
            {
                ["Simulator:QueueLimitPerKey"] = "1", ["Simulator:RetryAfterSeconds"] = "1", ["Simulator:GenerationTime"] = "00:00:02",
            },
        });
        var requests = Enumerable.Range(0, 3).Select(_ => Pipeline.Request()).ToList();

        await Task.WhenAll(requests.Select(pipeline.PublishAsync));
        await pipeline.WaitForTerminalAsync([.. requests.Select(r => r.RequestId)]);

        Assert.Equal(3, pipeline.Archiver.Received.All<HeadShotCompleted>().Count);
        var stats = await pipeline.Service.Simulator.GetStatsAsync();
        Assert.True(stats.HeadShotCalls > 3, $"expected some 429s, saw {stats.HeadShotCalls} calls");
        Assert.Equal(3, stats.JobsCreated);
    }

    [Theory]
    [InlineData(2, 6)]
    [InlineData(8, 40)] // room for slots: jobs created already claimed, without a count each
    public async Task The_submitter_keeps_ModelsLabs_queue_under_the_ceiling_instead_of_collecting_429s(int ceiling, int count)
    {
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Simulator = new Dictionary<string, string?> { ["Simulator:QueueLimitPerKey"] = $"{ceiling}" },
            Settings = new Dictionary<string, string?> { ["ModelsLab:MaxQueuedJobs"] = $"{ceiling}", ["Submitter:ConcurrentMessageLimit"] = "32" },
        });
        var requests = Enumerable.Range(0, count).Select(_ => Pipeline.Request()).ToList();

        await Task.WhenAll(requests.Select(pipeline.PublishAsync));
        await pipeline.WaitForTerminalAsync([.. requests.Select(r => r.RequestId)]);

        Assert.Equal(count, pipeline.Archiver.Received.All<HeadShotCompleted>().Count);
        var stats = await pipeline.Service.Simulator.GetStatsAsync();
        Assert.Equal(count, stats.HeadShotCalls); // not one refused
        Assert.Equal(count, stats.JobsCreated);
    }

    [Fact]
    public async Task A_ModelsLab_error_fails_the_request_with_ModelsLabs_message()
    {
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Settings = new Dictionary<string, string?> { ["ModelsLab:ApiKey"] = "not-a-valid-key" },
        });
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);

        var failed = Assert.Single(pipeline.Archiver.Received.All<HeadShotFailed>());
        Assert.Equal(HeadShotFailureReason.ModelsLabRejected, failed.Reason);
        Assert.Equal("Invalid API key", failed.Message);
        Assert.Equal("c-42", failed.Metadata!["customer"]);
        Assert.Empty(pipeline.Archiver.Received.All<HeadShotCompleted>());
        Assert.Equal(JobState.Failed, (await pipeline.Service.JobAsync(request.RequestId))!.State);
    }

    [Fact]
    public async Task A_request_the_schema_rejects_fails_with_field_errors_and_never_reaches_ModelsLab()
    {
        await using var pipeline = await Pipeline.StartAsync();
        var request = Pipeline.Request() with { GuidanceScale = 7.5, Width = 4096 };

        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);

        var failed = Assert.Single(pipeline.Archiver.Received.All<HeadShotFailed>());
        Assert.Equal(HeadShotFailureReason.ValidationRejected, failed.Reason);
        Assert.Equal(["guidance_scale", "width"], failed.FieldErrors!.Keys.Order());
        Assert.Equal(0, (await pipeline.Service.Simulator.GetStatsAsync()).HeadShotCalls);
        Assert.Empty(pipeline.Archiver.Received.All<HeadShotSubmitted>());
    }

    [Fact]
    public async Task The_same_RequestId_published_twice_is_submitted_once()
    {
        await using var pipeline = await Pipeline.StartAsync();
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);
        await pipeline.PublishAsync(request); // and once more after it completed
        await Eventually.UntilAsync(() => Task.FromResult(pipeline.Published.ConsumedCopies(request.RequestId)), copies => copies == 3, what: "all three copies consumed");
        await pipeline.SettleAsync();

        Assert.Equal(1, (await pipeline.Service.Simulator.GetStatsAsync()).HeadShotCalls);
        Assert.Single(pipeline.Archiver.Received.All<HeadShotCompleted>());
        Assert.Single(pipeline.Notifier.Received.All<HeadShotCompleted>());
        Assert.Equal(2, await pipeline.Service.JobCountAsync()); // the request's and the marker's
    }

    [Fact]
    public async Task A_head_shot_that_times_out_after_sending_is_not_sent_again_and_its_callback_settles_it()
    {
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            // ModelsLab accepts the job, then answers after the client has given up (1 s). The webhook
            // comes 5 s after the job was accepted: OutcomeUnknown lasts from 1 s to 5 s, wide enough
            // for the poll below on a loaded machine (1.5 s left it a 0.5 s window).
            Simulator = new Dictionary<string, string?> { ["Simulator:Faults:AnswerDelay"] = "00:00:03", ["Simulator:GenerationTime"] = "00:00:05" },
            Settings = new Dictionary<string, string?> { ["ModelsLab:Timeout"] = "00:00:01" },
        });
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        var unknown = await Eventually.UntilAsync(() => pipeline.Service.JobAsync(request.RequestId), j => j?.State == JobState.OutcomeUnknown,
            Pipeline.Patience, "the outcome to be marked unknown");
        Assert.Null(unknown!.ModelsLabId);
        await pipeline.WaitForTerminalAsync(request.RequestId);

        var completed = Assert.Single(pipeline.Archiver.Received.All<HeadShotCompleted>());
        Assert.Equal(HeadShotDelivery.Webhook, completed.Delivery);
        Assert.False(string.IsNullOrEmpty(completed.ModelsLabId), "the callback told us ModelsLab's id");
        var stats = await pipeline.Service.Simulator.GetStatsAsync();
        Assert.Equal(1, stats.HeadShotCalls);
        Assert.Empty(pipeline.Archiver.Received.All<HeadShotSubmitted>());
    }

    [Fact]
    public async Task An_immediate_answer_with_an_unsafe_output_url_fails_instead_of_reaching_subscribers()
    {
        // The simulator's outputs are http://127.0.0.1:...: unsafe unless 127.0.0.1 is a development host.
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Simulator = new Dictionary<string, string?> { ["Simulator:Faults:ImmediateSuccessShare"] = "1.0" },
            Settings = new Dictionary<string, string?> { ["Webhooks:DevelopmentHosts:0"] = "dev.invalid" },
        });
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);

        var failed = Assert.Single(pipeline.Archiver.Received.All<HeadShotFailed>());
        Assert.Equal(HeadShotFailureReason.GenerationFailed, failed.Reason);
        Assert.Contains("not passed on", failed.Message);
        Assert.DoesNotContain("127.0.0.1", failed.Message);
        Assert.Empty(pipeline.Archiver.Received.All<HeadShotCompleted>());
    }
}
