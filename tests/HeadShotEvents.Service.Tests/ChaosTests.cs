using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HeadShotEvents.Service.Tests;

/// <summary>It kills its broker and restarts its database, so it runs alone, after every parallel test.</summary>
[CollectionDefinition(nameof(ChaosCollection), DisableParallelization = true)]
public sealed class ChaosCollection;

/// <summary>
/// 500 requests through a submitter process and a receiver process while ModelsLab drops,
/// duplicates and delays webhooks and fails generations, and mid-run: kill -9 of the submitter,
/// kill -9 of a receiver, kill -9 of the RabbitMQ server, a crash-restart of PostgreSQL. Only on
/// the node and cluster ./test.sh started for it (<see cref="ChaosServers"/>).
/// </summary>
[Collection(nameof(ChaosCollection))]
public sealed class ChaosTests(ITestOutputHelper output)
{
    private const int Requests = 500;
    private static readonly TimeSpan Settle = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Lost_duplicated_late_callbacks_and_killed_processes_broker_and_database_still_give_exactly_one_outcome_per_request()
    {
        var servers = ChaosServers.FromEnvironment();
        var prefix = "chaos" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            await RunAsync(servers, prefix);
        }
        finally
        {
            await BrokerEntities.DeleteAsync(servers.RabbitMqUrl, prefix);
        }
    }

    private async Task RunAsync(ChaosServers servers, string prefix)
    {
        // The archiver is slow to acknowledge, so the broker's death leaves deliveries in its hands to redeliver.
        await using var archiver = await SubscriberService.StartAsync(servers.RabbitMqUrl, prefix, "archiver", ackDelay: TimeSpan.FromMilliseconds(500));
        await using var notifier = await SubscriberService.StartAsync(servers.RabbitMqUrl, prefix, "notifier");
        await using var api = await ServiceApplication.StartAsync(new ServiceApplication.Options
        {
            // Also a receiver: its dispatcher publishes what a killed receiver left owed.
            Roles = "Receiver,Api",
            EntityPrefix = prefix,
            RabbitMqUrl = servers.RabbitMqUrl,
            PostgresServer = servers.PostgresServer,
            Simulator = ChaosFaults.Simulator,
            Settings = new Dictionary<string, string?> { ["Webhooks:RateLimitPermits"] = "100000" },
        });

        var receiverAddress = LoopbackPorts.FreeAddress();
        var common = new Dictionary<string, string?>
        {
            ["Jobs:Provider"] = api.Provider,
            ["ConnectionStrings:Jobs"] = api.ConnectionString,
            ["Messaging:RabbitMqUrl"] = servers.RabbitMqUrl,
            ["Messaging:EntityPrefix"] = prefix,
            ["Webhooks:PublicBaseUrl"] = receiverAddress.AbsoluteUri,
            ["Webhooks:DevelopmentHosts:0"] = "127.0.0.1",
            // Every simulated webhook comes from 127.0.0.1: the per-address limit (600 a minute)
            // would otherwise turn most of them into 429s and the run into a test of polling.
            ["Webhooks:RateLimitPermits"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var receiverSettings = new Dictionary<string, string?>(common) { ["Roles"] = "Receiver" };
        var submitterSettings = new Dictionary<string, string?>(common) { ["Roles"] = "Submitter,Reconciler" };
        foreach (var (key, value) in ChaosFaults.Submitter(api.Simulator))
        {
            submitterSettings[key] = value;
        }

        var submitterAddress = LoopbackPorts.FreeAddress();
        var receiver = await ServiceProcess.StartAsync(receiverSettings, receiverAddress);
        var submitter = await ServiceProcess.StartAsync(submitterSettings, submitterAddress);
        try
        {
            var requests = Enumerable.Range(0, Requests).Select(_ => Pipeline.Request()).ToList();
            foreach (var chunk in requests.Chunk(50))
            {
                await Task.WhenAll(chunk.Select(r => api.Bus.Publish(r)));
            }

            await archiver.Received.WaitForAsync(r => Terminal(r) >= Requests / 6, Settle, "a sixth of the outcomes");
            await submitter.KillAsync();
            Report($"chaos: kill -9 of the submitter process after {Terminal(archiver.Received)} outcomes");
            await submitter.DisposeAsync();
            submitter = await ServiceProcess.StartAsync(submitterSettings, submitterAddress);

            await archiver.Received.WaitForAsync(r => Terminal(r) >= Requests / 3, Settle, "a third of the outcomes");
            await receiver.KillAsync();
            Report($"chaos: kill -9 of the receiver process after {Terminal(archiver.Received)} outcomes");
            await Task.Delay(TimeSpan.FromSeconds(1)); // webhooks meanwhile meet a closed port and are retried
            await receiver.DisposeAsync();
            receiver = await ServiceProcess.StartAsync(receiverSettings, receiverAddress);

            await archiver.Received.WaitForAsync(r => Terminal(r) >= Requests * 9 / 20, Settle, "45% of the outcomes");
            await servers.RestartPostgresAsync();
            Report($"chaos: immediate restart of PostgreSQL after {Terminal(archiver.Received)} outcomes");

            await archiver.Received.WaitForAsync(r => Terminal(r) >= Requests * 11 / 20, Settle, "55% of the outcomes");
            await Eventually.UntilAsync(() => Task.FromResult(archiver.Received.InHand), inHand => inHand > 0, Settle, "a delivery in the archiver's hands");
            await servers.KillRabbitMqAsync();
            Report($"chaos: kill -9 of the RabbitMQ server after {Terminal(archiver.Received)} outcomes");
            await Task.Delay(TimeSpan.FromSeconds(2));
            await servers.StartRabbitMqAsync();

            var ids = requests.Select(r => r.RequestId).ToList();
            await archiver.Received.WaitForTerminalAsync(ids, Settle);
            await notifier.Received.WaitForTerminalAsync(ids, Settle);

            await ChaosFigures.WaitUntilNothingOwedAsync(api, requests);

            // A later request's outcome is the positive signal that duplicates still in flight have
            // arrived; one the schema rejects, so ModelsLab's figures stay those of the 500.
            var marker = Pipeline.Request() with { Width = 4096 };
            await api.Bus.Publish(marker);
            await archiver.Received.WaitForTerminalAsync([marker.RequestId], Settle);
            await notifier.Received.WaitForTerminalAsync([marker.RequestId], Settle);

            var figures = await ChaosFigures.CollectAsync(api, requests, archiver, notifier);
            foreach (var line in figures.Describe())
            {
                Report(line);
            }

            figures.AssertExactlyOneOutcomeEach();
            figures.AssertFaultsHappenedAndWorkWasDone(ChaosFaults.FailGenerationShare, ChaosFaults.SubmitInterruptions);
        }
        finally
        {
            await submitter.DisposeAsync();
            await receiver.DisposeAsync();
        }
    }

    private void Report(string line) => TestReport.WriteLine(output, line);

    internal static int Terminal(ReceivedEvents events) =>
        events.All<HeadShotCompleted>().Select(e => e.RequestId).Concat(events.All<HeadShotFailed>().Select(e => e.RequestId)).Distinct().Count();
}

/// <summary>The fault settings of the chaos run, and what they imply for its figures.</summary>
internal static class ChaosFaults
{
    public const double FailGenerationShare = 0.1;

    /// <summary>
    /// Submits a fault can cut between the job row and the head_shot call (then ModelsLab never saw
    /// the job, and only the deadline settles it): at most the submitter's concurrency (8) for each
    /// of the submitter kill, the broker kill and the database restart.
    /// </summary>
    public const int SubmitInterruptions = 3 * 8;

    public static readonly IReadOnlyDictionary<string, string?> Simulator = new Dictionary<string, string?>
    {
        ["Simulator:QueueLimitPerKey"] = "100000",
        ["Simulator:GenerationTime"] = "00:00:00.300",
        ["Simulator:WebhookRetryDelay"] = "00:00:00.500",
        ["Simulator:Faults:DropWebhookShare"] = "0.3",
        ["Simulator:Faults:DuplicateWebhookShare"] = "0.3",
        ["Simulator:Faults:FailGenerationShare"] = FailGenerationShare.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Simulator:Faults:SendProcessingWebhook"] = "true",
        // About as late as the first poll: some webhooks arrive after the poll completed the job.
        ["Simulator:Faults:WebhookDelay"] = "00:00:01",
    };

    public static IReadOnlyDictionary<string, string?> Submitter(LoopbackSimulator simulator) => new Dictionary<string, string?>
    {
        ["ModelsLab:BaseUrl"] = simulator.ApiBaseAddress.AbsoluteUri,
        ["ModelsLab:ApiKey"] = simulator.ApiKey,
        ["ModelsLab:MaxQueuedJobs"] = "1000",
        ["Reconciler:Interval"] = "00:00:00.200",
        ["Reconciler:Grace"] = "00:00:01",
        ["Reconciler:InitialBackoff"] = "00:00:00.500",
        ["Reconciler:MaxBackoff"] = "00:00:02",
        ["Reconciler:Deadline"] = "00:01:00",
    };
}
