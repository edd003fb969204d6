using System.Net;
using HeadShotEvents.Contracts;
using HeadShotEvents.ModelsLab;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Tests.Infrastructure;
using static HeadShotEvents.Service.Tests.HostileRequests;

namespace HeadShotEvents.Service.Tests;

/// <summary>"success" with no usable output is not a result: it is polled for, and fails as GenerationFailed if images never come.</summary>
public sealed class NoOutputsTests
{
    [Theory]
    [InlineData("[]")]
    [InlineData("[\"\"]")]
    [InlineData("[\" \",\"\"]")]
    [InlineData("\"\"")]
    public async Task A_success_webhook_without_outputs_publishes_nothing_and_makes_the_job_due_for_a_poll_soon(string output)
    {
        await using var waiting = await WaitingJob.StartAsync();
        var before = DateTime.UtcNow;

        var answer = await PostAsync(waiting, waiting.Token, Callback(waiting, output: output));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Contains("\"no-outputs\"", answer.Body, StringComparison.Ordinal);
        Assert.Equal(0, waiting.Pipeline.Published.Terminal);
        var job = await waiting.Pipeline.Service.JobAsync(waiting.Job.RequestId);
        Assert.Equal(JobState.Processing, job!.State);
        Assert.Empty(job.Outputs);
        // InitialBackoff is 5 s by default; the first poll was 30 s past ModelsLab's eta.
        Assert.InRange(job.NextPollAt!.Value, before, DateTime.UtcNow + TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task A_job_whose_polls_answer_success_without_outputs_fails_as_GenerationFailed_at_the_deadline()
    {
        var answers = new ModelsLabAnswers
        {
            Rewrite = (path, _, body) => path.Contains(ModelsLabClient.FetchPath, StringComparison.Ordinal) ? ModelsLabAnswers.WithField(body, "output", "[]") : body,
        };
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Simulator = new Dictionary<string, string?> { ["Simulator:Faults:DropWebhookShare"] = "1.0" },
            Settings = new Dictionary<string, string?>(ReconcilerTests.FastReconciler) { ["Reconciler:Deadline"] = "00:00:06" },
            ConfigureServices = answers.AddTo,
        });
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);

        Assert.Empty(pipeline.Archiver.Received.All<HeadShotCompleted>());
        var failed = Assert.Single(pipeline.Archiver.Received.All<HeadShotFailed>());
        Assert.Equal(HeadShotFailureReason.GenerationFailed, failed.Reason);
        Assert.Contains("no output images", failed.Message, StringComparison.Ordinal);
        Assert.InRange((await pipeline.Service.Simulator.GetStatsAsync()).FetchCalls, 2, 100);
    }

    [Fact]
    public async Task An_immediate_success_without_outputs_goes_to_polling_and_completes_with_the_images_fetch_gives()
    {
        var answers = new ModelsLabAnswers
        {
            Rewrite = (path, _, body) => path.EndsWith(ModelsLabClient.HeadShotPath, StringComparison.Ordinal)
                ? ModelsLabAnswers.WithField(ModelsLabAnswers.WithField(body, "status", "\"success\""), "output", "[\"\"]")
                : body,
        };
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Simulator = new Dictionary<string, string?> { ["Simulator:Faults:DropWebhookShare"] = "1.0" },
            Settings = ReconcilerTests.FastReconciler,
            ConfigureServices = answers.AddTo,
        });
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);

        var completed = Assert.Single(pipeline.Archiver.Received.All<HeadShotCompleted>());
        Assert.Equal(HeadShotDelivery.Poll, completed.Delivery);
        Assert.Single(completed.Outputs);
    }
}
