using HeadShotEvents.Contracts;
using HeadShotEvents.ModelsLab;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;

namespace HeadShotEvents.Service.Tests;

/// <summary>A reconciler round claims several jobs; what happens to one of them must not decide the fate of the others.</summary>
public sealed class ReconcilerRoundTests
{
    private const int Jobs = 4;

    [Fact]
    public async Task A_fetch_answer_with_a_lone_surrogate_is_read_and_every_job_of_the_round_completes()
    {
        var singledOut = FirstJobPolled();
        var answers = new ModelsLabAnswers
        {
            Rewrite = (path, _, body) => singledOut(path) ? ModelsLabAnswers.WithField(body, "tip", "\"\\ud800\"") : body,
        };
        await using var pipeline = await Pipeline.StartAsync(Options());
        var requests = await SubmitAsync(pipeline);
        await using var reconciler = await StartReconcilerAsync(pipeline, answers);

        await pipeline.WaitForTerminalAsync([.. requests.Select(r => r.RequestId)]);

        var completed = pipeline.Archiver.Received.All<HeadShotCompleted>();
        Assert.Equal(Jobs, completed.Count);
        Assert.All(completed, c => Assert.Equal(HeadShotDelivery.Poll, c.Delivery));
    }

    [Fact]
    public async Task A_poll_that_throws_for_one_job_leaves_the_other_jobs_of_the_round_polled_and_completed()
    {
        var singledOut = FirstJobPolled();
        var answers = new ModelsLabAnswers
        {
            Rewrite = (path, _, body) => singledOut(path) ? throw new InvalidOperationException("a failure nobody foresaw, in one job's poll") : body,
        };
        await using var pipeline = await Pipeline.StartAsync(Options());
        var requests = await SubmitAsync(pipeline);
        await using var reconciler = await StartReconcilerAsync(pipeline, answers);

        // The failed job's claim (two minutes by default) outlasts the test: only the others can finish.
        await pipeline.Archiver.Received.WaitForAsync(r => r.All<HeadShotCompleted>().Count == Jobs - 1, Pipeline.Patience, "the other jobs to complete");

        var completed = pipeline.Archiver.Received.All<HeadShotCompleted>();
        Assert.InRange(completed.Count, Jobs - 1, Jobs - 1);
        Assert.All(completed, c => Assert.Equal(HeadShotDelivery.Poll, c.Delivery));
        var unfinished = Assert.Single(requests, r => completed.All(c => c.RequestId != r.RequestId));
        Assert.Equal(JobState.Processing, (await pipeline.Service.JobAsync(unfinished.RequestId))!.State);
    }

    /// <summary>The first job polled is the one singled out, on every later poll too.</summary>
    private static Func<string, bool> FirstJobPolled()
    {
        string? first = null;
        return path => path.Contains(ModelsLabClient.FetchPath, StringComparison.Ordinal)
            && (Interlocked.CompareExchange(ref first, path, null) ?? path) == path;
    }

    private static ServiceApplication.Options Options() => new()
    {
        Simulator = new Dictionary<string, string?> { ["Simulator:Faults:DropWebhookShare"] = "1.0" },
        Settings = new Dictionary<string, string?> { ["Reconciler:Grace"] = "00:00:00.300" },
    };

    /// <summary>
    /// Every job submitted and due before any reconciler runs: then one round claims them all,
    /// which is the case where one job's failure could stop the others.
    /// </summary>
    private static async Task<List<HeadShotRequested>> SubmitAsync(Pipeline pipeline)
    {
        var requests = Enumerable.Range(0, Jobs).Select(_ => Pipeline.Request()).ToList();
        await Task.WhenAll(requests.Select(pipeline.PublishAsync));
        await pipeline.Archiver.Received.WaitForAsync(r => r.All<HeadShotSubmitted>().Count == Jobs, Pipeline.Patience, "every job submitted");
        foreach (var request in requests)
        {
            await Eventually.UntilAsync(() => pipeline.Service.JobAsync(request.RequestId),
                j => j?.NextPollAt is { } due && due <= DateTime.UtcNow, Pipeline.Patience, "the job to be due for a poll");
        }

        return requests;
    }

    private static Task<ServiceApplication> StartReconcilerAsync(Pipeline pipeline, ModelsLabAnswers answers) => ServiceApplication.StartAsync(new()
    {
        ShareWith = pipeline.Service,
        EntityPrefix = pipeline.Service.EntityPrefix,
        Settings = new Dictionary<string, string?> { ["Roles"] = "Reconciler", ["Reconciler:Interval"] = "00:00:00.100" },
        ConfigureServices = answers.AddTo,
    });
}
