using HeadShotEvents.Contracts;
using HeadShotEvents.ModelsLab;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;

namespace HeadShotEvents.Service.Tests;

/// <summary>head_shot answers the simulator never gives, but ModelsLab (or a proxy) might.</summary>
public sealed class SubmitAnswerTests
{
    [Fact]
    public async Task A_head_shot_answer_with_a_lone_surrogate_keeps_ModelsLabs_id_and_the_job_completes()
    {
        var answers = new ModelsLabAnswers
        {
            Rewrite = (path, _, body) => path.EndsWith(ModelsLabClient.HeadShotPath, StringComparison.Ordinal)
                ? ModelsLabAnswers.WithField(body, "tip", "\"\\ud800\"")
                : body,
        };
        // No webhook: only the id recorded from the answer lets the reconciler find the result.
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Simulator = new Dictionary<string, string?> { ["Simulator:Faults:DropWebhookShare"] = "1.0" },
            Settings = ReconcilerTests.FastReconciler,
            ConfigureServices = answers.AddTo,
        });
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);

        var submitted = Assert.Single(pipeline.Archiver.Received.All<HeadShotSubmitted>());
        Assert.False(string.IsNullOrEmpty(submitted.ModelsLabId));
        var completed = Assert.Single(pipeline.Archiver.Received.All<HeadShotCompleted>());
        Assert.Equal(HeadShotDelivery.Poll, completed.Delivery);
        var job = await pipeline.Service.JobAsync(request.RequestId);
        Assert.Equal(JobState.Completed, job!.State);
        Assert.Equal(submitted.ModelsLabId, job.ModelsLabId);
    }
}
