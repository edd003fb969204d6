using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Outcomes;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HeadShotEvents.Service.Tests;

/// <summary>It restarts the shared broker, so it runs alone, after every parallel test.</summary>
[CollectionDefinition(nameof(ChaosCollection), DisableParallelization = true)]
public sealed class ChaosCollection;

[Collection(nameof(ChaosCollection))]
public sealed class ChaosTests(ITestOutputHelper output)
{
    private const int Requests = 500;
    private static readonly TimeSpan Settle = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Lost_duplicated_late_callbacks_a_broker_restart_and_a_killed_process_still_give_exactly_one_outcome_per_request()
    {
        var prefix = "chaos" + Guid.NewGuid().ToString("N")[..8];
        var rabbit = await TestInfrastructure.RabbitMqUrlAsync();
        await using var archiver = await SubscriberService.StartAsync(rabbit, prefix, "archiver");
        await using var notifier = await SubscriberService.StartAsync(rabbit, prefix, "notifier");
        await using var receiver = await ServiceApplication.StartAsync(new ServiceApplication.Options
        {
            Roles = "Receiver,Api",
            EntityPrefix = prefix,
            Simulator = new Dictionary<string, string?>
            {
                ["Simulator:QueueLimitPerKey"] = "100000",
                ["Simulator:GenerationTime"] = "00:00:00.300",
                ["Simulator:WebhookRetryDelay"] = "00:00:00.500",
                ["Simulator:Faults:DropWebhookShare"] = "0.3",
                ["Simulator:Faults:DuplicateWebhookShare"] = "0.3",
                ["Simulator:Faults:FailGenerationShare"] = "0.1",
                ["Simulator:Faults:SendProcessingWebhook"] = "true",
                // About as late as the first poll: some webhooks arrive after the poll completed the job.
                ["Simulator:Faults:WebhookDelay"] = "00:00:01",
            },
        });

        var port = ServiceApplication.FreePort();
        var submitterSettings = new Dictionary<string, string?>
        {
            ["Roles"] = "Submitter,Reconciler",
            ["Jobs:Provider"] = receiver.Provider,
            ["ConnectionStrings:Jobs"] = receiver.ConnectionString,
            ["Messaging:RabbitMqUrl"] = rabbit,
            ["Messaging:EntityPrefix"] = prefix,
            ["Webhooks:PublicBaseUrl"] = receiver.BaseAddress.AbsoluteUri,
            ["ModelsLab:BaseUrl"] = receiver.Simulator.ApiBaseAddress.AbsoluteUri,
            ["ModelsLab:ApiKey"] = receiver.Simulator.ApiKey,
            ["ModelsLab:MaxQueuedJobs"] = "1000",
            // The simulator's outputs are http://127.0.0.1:<port>/...: a development host, never one by default.
            ["Webhooks:DevelopmentHosts:0"] = "127.0.0.1",
            ["Reconciler:Interval"] = "00:00:00.200",
            ["Reconciler:Grace"] = "00:00:01",
            ["Reconciler:InitialBackoff"] = "00:00:00.500",
            ["Reconciler:MaxBackoff"] = "00:00:02",
            ["Reconciler:Deadline"] = "00:00:45",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var submitterAddress = new Uri($"http://127.0.0.1:{port}/");
        var submitter = await ServiceProcess.StartAsync(submitterSettings, submitterAddress);
        try
        {
            var requests = Enumerable.Range(0, Requests).Select(_ => Pipeline.Request()).ToList();
            foreach (var chunk in requests.Chunk(50))
            {
                await Task.WhenAll(chunk.Select(r => receiver.Bus.Publish(r)));
            }

            // Kill -9 the submitter/reconciler process in mid-flow, then start it again.
            await archiver.Received.WaitForAsync(r => Terminal(r) >= Requests / 5, Settle, "a fifth of the outcomes");
            await submitter.KillAsync();
            output.WriteLine($"killed the service process after {Terminal(archiver.Received)} outcomes");
            await Task.Delay(TimeSpan.FromSeconds(1));
            await submitter.DisposeAsync();
            submitter = await ServiceProcess.StartAsync(submitterSettings, submitterAddress);

            // Restart RabbitMQ while work is in flight.
            await archiver.Received.WaitForAsync(r => Terminal(r) >= Requests / 2, Settle, "half of the outcomes");
            await TestInfrastructure.RestartRabbitMqAsync();
            output.WriteLine($"restarted RabbitMQ after {Terminal(archiver.Received)} outcomes");

            var ids = requests.Select(r => r.RequestId).ToList();
            await archiver.Received.WaitForTerminalAsync(ids, Settle);
            await notifier.Received.WaitForTerminalAsync(ids, Settle);
            await Task.Delay(TimeSpan.FromSeconds(2)); // late duplicates still in flight show up in the counts

            await AssertExactlyOneOutcomeAsync(receiver, requests, archiver, notifier);
        }
        finally
        {
            await submitter.DisposeAsync();
        }
    }

    private async Task AssertExactlyOneOutcomeAsync(ServiceApplication receiver, IReadOnlyList<HeadShotRequested> requests, params SubscriberService[] subscribers)
    {
        await using var scope = receiver.Services.CreateAsyncScope();
        var jobs = await scope.ServiceProvider.GetRequiredService<JobsDbContext>().Jobs.AsNoTracking().ToListAsync();
        var stats = await receiver.Simulator.GetStatsAsync();

        Assert.Equal(requests.Count, jobs.Count);
        Assert.All(jobs, j => Assert.True(j.State.IsTerminal(), $"job {j.TrackId} is {j.State}"));
        Assert.All(jobs, j => Assert.False(j.TerminalEventPending, $"job {j.TrackId} still owes its event"));

        // Never a second paid generation; a job ModelsLab never saw can only have timed out.
        var calls = stats.HeadShotCallsByTrackId;
        Assert.All(calls, c => Assert.Equal(1, c.Value));
        var neverSent = jobs.Where(j => !calls.ContainsKey(j.TrackId.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.All(neverSent, j => Assert.Equal(HeadShotFailureReason.TimedOut, j.FailureReason));

        foreach (var subscriber in subscribers)
        {
            var completed = subscriber.Received.WithIds<HeadShotCompleted>();
            var failed = subscriber.Received.WithIds<HeadShotFailed>();
            var all = completed.Select(c => (c.Message.RequestId, c.MessageId, Completed: true))
                .Concat(failed.Select(f => (f.Message.RequestId, f.MessageId, Completed: false))).ToList();
            foreach (var job in jobs)
            {
                var copies = all.Where(e => e.RequestId == job.RequestId).ToList();
                Assert.NotEmpty(copies);
                Assert.All(copies, e => Assert.Equal(EventIds.Terminal(job.RequestId), e.MessageId));
                Assert.All(copies, e => Assert.Equal(job.State == JobState.Completed, e.Completed));
            }

            output.WriteLine($"subscriber: {all.Count} terminal events for {jobs.Count} requests ({all.Count - jobs.Count} redelivered duplicates, all with the same MessageId)");
        }

        output.WriteLine($"requests {requests.Count}: completed {jobs.Count(j => j.State == JobState.Completed)} " +
            $"(immediate {jobs.Count(j => j.Delivery == HeadShotDelivery.Immediate)}, webhook {jobs.Count(j => j.Delivery == HeadShotDelivery.Webhook)}, poll {jobs.Count(j => j.Delivery == HeadShotDelivery.Poll)}), " +
            $"failed {jobs.Count(j => j.State == JobState.Failed)} ({string.Join(", ", jobs.Where(j => j.FailureReason is not null).GroupBy(j => j.FailureReason).Select(g => $"{g.Key} {g.Count()}"))})");
        output.WriteLine($"simulator: head_shot calls {stats.HeadShotCalls} for {calls.Count} track_ids (never sent: {neverSent.Count}), " +
            $"webhooks sent {stats.WebhooksSent}, dropped {stats.WebhooksDropped}, fetch calls {stats.FetchCalls}");
    }

    private static int Terminal(ReceivedEvents events) =>
        events.All<HeadShotCompleted>().Select(e => e.RequestId).Concat(events.All<HeadShotFailed>().Select(e => e.RequestId)).Distinct().Count();
}
