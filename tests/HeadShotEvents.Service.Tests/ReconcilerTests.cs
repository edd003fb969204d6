using System.Net.Http.Json;
using System.Text.Json;
using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;

namespace HeadShotEvents.Service.Tests;

/// <summary>The fallback when ModelsLab's best-effort webhooks do not come: poll fetch, then give up at the deadline.</summary>
public sealed class ReconcilerTests
{
    public static readonly IReadOnlyDictionary<string, string?> FastReconciler = new Dictionary<string, string?>
    {
        ["Roles"] = "Submitter,Receiver,Api,Reconciler",
        ["Reconciler:Interval"] = "00:00:00.100",
        ["Reconciler:Grace"] = "00:00:00.300",
        ["Reconciler:InitialBackoff"] = "00:00:00.200",
    };

    [Fact]
    public async Task A_webhook_that_never_arrives_is_replaced_by_a_poll()
    {
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Simulator = new Dictionary<string, string?> { ["Simulator:Faults:DropWebhookShare"] = "1.0" },
            Settings = FastReconciler,
        });
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);

        foreach (var subscriber in new[] { pipeline.Archiver, pipeline.Notifier })
        {
            var completed = Assert.Single(subscriber.Received.All<HeadShotCompleted>());
            Assert.Equal(HeadShotDelivery.Poll, completed.Delivery);
            Assert.Single(completed.Outputs);
        }

        var stats = await pipeline.Service.Simulator.GetStatsAsync();
        Assert.True(stats.FetchCalls >= 1);
        Assert.Equal(0, stats.WebhooksSent);
        var job = await pipeline.Service.JobAsync(request.RequestId);
        Assert.Null(job!.NextPollAt);
    }

    [Fact]
    public async Task A_job_that_never_completes_fails_as_timed_out_at_the_deadline()
    {
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Simulator = new Dictionary<string, string?> { ["Simulator:GenerationTime"] = "01:00:00" },
            Settings = new Dictionary<string, string?>(FastReconciler) { ["Reconciler:Deadline"] = "00:00:02" },
        });
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await pipeline.WaitForTerminalAsync(request.RequestId);

        var failed = Assert.Single(pipeline.Archiver.Received.All<HeadShotFailed>());
        Assert.Equal(HeadShotFailureReason.TimedOut, failed.Reason);
        Assert.Empty(pipeline.Archiver.Received.All<HeadShotCompleted>());
        Assert.True((await pipeline.Service.Simulator.GetStatsAsync()).FetchCalls >= 1, "it polled before giving up");
        Assert.Equal(JobState.Failed, (await pipeline.Service.JobAsync(request.RequestId))!.State);
    }

    [Fact]
    public async Task A_request_accepted_but_never_submitted_fails_at_the_deadline_instead_of_waiting_forever()
    {
        // No submitter runs: the row POST /headshots created is all there is.
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Settings = new Dictionary<string, string?>(FastReconciler)
            {
                ["Roles"] = "Receiver,Api,Reconciler",
                ["Reconciler:Deadline"] = "00:00:02",
            },
        });
        var request = Pipeline.Request();

        using var posted = await pipeline.Service.HttpClient.PostAsJsonAsync("headshots", request, new JsonSerializerOptions(JsonSerializerDefaults.Web));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, posted.StatusCode);
        await pipeline.WaitForTerminalAsync(request.RequestId);

        var failed = Assert.Single(pipeline.Archiver.Received.All<HeadShotFailed>());
        Assert.Equal(HeadShotFailureReason.TimedOut, failed.Reason);
        Assert.Equal(0, (await pipeline.Service.Simulator.GetStatsAsync()).HeadShotCalls);
    }

    [Fact]
    public async Task Two_reconcilers_on_one_PostgreSQL_poll_each_due_job_once()
    {
        const int jobs = 12;
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Simulator = new Dictionary<string, string?> { ["Simulator:Faults:DropWebhookShare"] = "1.0" },
            Settings = new Dictionary<string, string?> { ["Reconciler:Grace"] = "00:00:01" },
        });
        var requests = Enumerable.Range(0, jobs).Select(_ => Pipeline.Request()).ToList();
        await Task.WhenAll(requests.Select(pipeline.PublishAsync));
        await pipeline.Archiver.Received.WaitForAsync(r => r.All<HeadShotSubmitted>().Count == jobs, Pipeline.Patience, "every job submitted");

        // Two more instances of the deployment that only reconcile, racing on the same due rows.
        var reconcilerOnly = new Dictionary<string, string?> { ["Roles"] = "Reconciler", ["Reconciler:Interval"] = "00:00:00.050" };
        await using var first = await ServiceApplication.StartAsync(new() { ShareWith = pipeline.Service, Settings = reconcilerOnly, EntityPrefix = pipeline.Service.EntityPrefix });
        await using var second = await ServiceApplication.StartAsync(new() { ShareWith = pipeline.Service, Settings = reconcilerOnly, EntityPrefix = pipeline.Service.EntityPrefix });

        await pipeline.WaitForTerminalAsync([.. requests.Select(r => r.RequestId)]);
        await pipeline.SettleAsync();

        Assert.Equal(jobs, (await pipeline.Service.Simulator.GetStatsAsync()).FetchCalls);
        var completed = pipeline.Archiver.Received.All<HeadShotCompleted>();
        Assert.Equal(jobs, completed.Count);
        Assert.All(completed, c => Assert.Equal(HeadShotDelivery.Poll, c.Delivery));
        Assert.Equal(jobs, pipeline.Notifier.Received.All<HeadShotCompleted>().Count);
    }
}
