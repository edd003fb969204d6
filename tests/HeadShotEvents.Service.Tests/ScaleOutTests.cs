using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using Xunit.Abstractions;

namespace HeadShotEvents.Service.Tests;

/// <summary>It kills a node of its cluster and runs a dozen processes, so it runs alone, after every parallel test.</summary>
[CollectionDefinition(nameof(ScaleOutCollection), DisableParallelization = true)]
public sealed class ScaleOutCollection;

/// <summary>
/// Two of every role as separate processes (submitters, receivers behind a round-robin load
/// balancer, reconcilers, and two replicas of each subscribing service) on ./test.sh's 3-node
/// RabbitMQ cluster with quorum queues and one PostgreSQL, 500 requests with dropped, duplicated
/// and late webhooks, and mid-run: kill -9 of the node leading the submit queue, of a submitter and
/// of a receiver. Nothing is lost, nothing is done twice, and every replica did some of the work.
/// </summary>
[Collection(nameof(ScaleOutCollection))]
public sealed class ScaleOutTests(ITestOutputHelper output)
{
    private const int Requests = 500;
    private const int Replicas = 2;
    private static readonly TimeSpan Settle = TimeSpan.FromMinutes(4);

    /// <summary>Six processes starting at once on two cores take their time.</summary>
    private static readonly TimeSpan StartTogether = TimeSpan.FromMinutes(3);

    /// <summary>The queue type under test. Classic here loses the submit queue with its node: the test fails (checked once).</summary>
    private const string QueueType = "Quorum";

    [Fact]
    public async Task Two_of_every_role_on_a_three_node_cluster_lose_nothing_when_the_submit_queues_leader_a_submitter_and_a_receiver_die()
    {
        var cluster = ClusterServers.FromEnvironment();
        var prefix = "scale" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            await RunAsync(cluster, prefix);
        }
        finally
        {
            if (_killedNode > 0)
            {
                await cluster.StartAsync(_killedNode); // the next run finds three nodes again
            }

            await BrokerEntities.DeleteAsync(cluster.Nodes[0].AbsoluteUri, prefix);
        }
    }

    private int _killedNode;

    private async Task RunAsync(ClusterServers cluster, string prefix)
    {
        // Two replicas of each subscribing service on one queue (competing consumers), each
        // connected through another node first. The archiver acknowledges slowly, so deliveries are in hand when a node dies.
        var archiver = new ReceivedEvents();
        var notifier = new ReceivedEvents();
        var subscribers = new List<SubscriberService>();
        var process = 0;
        for (var replica = 0; replica < Replicas; replica++)
        {
            subscribers.Add(await SubscriberService.StartAsync(cluster.Nodes[process % 3].AbsoluteUri, prefix, "archiver", TimeSpan.FromMilliseconds(200),
                new SubscriberOnCluster(Nodes(cluster, process++), 3, archiver)));
            subscribers.Add(await SubscriberService.StartAsync(cluster.Nodes[process % 3].AbsoluteUri, prefix, "notifier", default,
                new SubscriberOnCluster(Nodes(cluster, process++), 3, notifier)));
        }

        var starting = new List<Task<ServiceProcess>>();
        ServiceApplication? apiToDispose = null;
        try
        {
            var api = apiToDispose = await ServiceApplication.StartAsync(new ServiceApplication.Options
            {
                Roles = "Api",
                EntityPrefix = prefix,
                RabbitMqUrl = cluster.Nodes[0].AbsoluteUri,
                // ModelsLab takes a moment to answer head_shot, so the submit queue holds a backlog when its leader dies.
                Simulator = new Dictionary<string, string?>(ChaosFaults.Simulator) { ["Simulator:Faults:AnswerDelay"] = "00:00:00.300" },
                Settings = cluster.Settings(process++, QueueType),
            });

            // The load balancer: ModelsLab's calls go through it too, one route per replica, so it
            // counts who called head_shot (submitters) and fetch (reconcilers). Webhook URLs carry
            // the route of the submitter that minted their token, and spread over both receivers.
            var receiverAddresses = Enumerable.Range(0, Replicas).Select(_ => LoopbackPorts.FreeAddress()).ToArray();
            var modelsLab = new[] { api.Simulator.BaseAddress };
            await using var balancer = await RoundRobinForwarder.StartAsync(new Dictionary<string, Uri[]>
            {
                ["minted-by-1"] = receiverAddresses,
                ["minted-by-2"] = receiverAddresses,
                ["submitter-1"] = modelsLab,
                ["submitter-2"] = modelsLab,
                ["reconciler-1"] = modelsLab,
                ["reconciler-2"] = modelsLab,
            });

            var common = new Dictionary<string, string?>
            {
                ["Jobs:Provider"] = api.Provider,
                ["ConnectionStrings:Jobs"] = api.ConnectionString,
                ["Messaging:EntityPrefix"] = prefix,
                ["Webhooks:DevelopmentHosts:0"] = "127.0.0.1",
                // Every webhook comes through the balancer from 127.0.0.1: the per-address limit would turn most into 429s.
                ["Webhooks:RateLimitPermits"] = "100000",
                ["Logging:LogLevel:Default"] = "Warning",
            };
            Dictionary<string, string?> Settings(string roles, params (string Key, string? Value)[] more)
            {
                var settings = new Dictionary<string, string?>(common) { ["Roles"] = roles };
                foreach (var (key, value) in cluster.Settings(process++, QueueType).Concat(ChaosFaults.Submitter(api.Simulator)).Concat(more.Select(m => KeyValuePair.Create(m.Key, m.Value))))
                {
                    settings[key] = value;
                }

                return settings;
            }

            for (var n = 1; n <= Replicas; n++)
            {
                starting.Add(ServiceProcess.StartAsync(Settings("Receiver"), receiverAddresses[n - 1], readyWithin: StartTogether));
                starting.Add(ServiceProcess.StartAsync(Settings("Submitter",
                    ("Webhooks:PublicBaseUrl", balancer.Route($"minted-by-{n}").AbsoluteUri),
                    ("ModelsLab:BaseUrl", new Uri(balancer.Route($"submitter-{n}"), "api/v6/").AbsoluteUri)), LoopbackPorts.FreeAddress(), readyWithin: StartTogether));
                starting.Add(ServiceProcess.StartAsync(Settings("Reconciler",
                    ("ModelsLab:BaseUrl", new Uri(balancer.Route($"reconciler-{n}"), "api/v6/").AbsoluteUri)), LoopbackPorts.FreeAddress(), readyWithin: StartTogether));
            }

            var processes = await Task.WhenAll(starting);
            var receiver1 = processes[0];
            var submitter1 = processes[1];

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var submitQueue = $"{prefix}-submit-head-shot";
            var leader = await cluster.LeaderOfAsync(submitQueue); // a leader changes only when a node goes
            var requests = Enumerable.Range(0, Requests).Select(_ => Pipeline.Request()).ToList();
            foreach (var chunk in requests.Chunk(50))
            {
                await Task.WhenAll(chunk.Select(r => api.Bus.Publish(r)));
            }

            // Every request confirmed by the cluster, most still in the submit queue: its leader dies.
            var waiting = await cluster.DepthAsync(leader % 3 + 1, submitQueue);
            _killedNode = leader;
            await cluster.KillAsync(leader);
            Report($"scale-out: {clock.Elapsed.TotalSeconds:F0} s: kill -9 of RabbitMQ node {leader}, the submit queue's leader, with {waiting} requests in the queue and {await api.JobCountAsync()} jobs created");
            Assert.InRange(waiting, (uint)Requests / 4, (uint)Requests);

            await Eventually.UntilAsync(api.JobCountAsync, jobs => jobs >= Requests * 2 / 5, Settle, "two fifths of the jobs");
            await submitter1.KillAsync();
            Report($"scale-out: {clock.Elapsed.TotalSeconds:F0} s: kill -9 of submitter 1 after {await api.JobCountAsync()} jobs created");

            await archiver.WaitForAsync(r => ChaosTests.Terminal(r) >= Requests * 2 / 5, Settle, "two fifths of the outcomes");
            await receiver1.KillAsync();
            Report($"scale-out: {clock.Elapsed.TotalSeconds:F0} s: kill -9 of receiver 1 after {ChaosTests.Terminal(archiver)} outcomes");

            var ids = requests.Select(r => r.RequestId).ToList();
            await archiver.WaitForTerminalAsync(ids, Settle);
            await notifier.WaitForTerminalAsync(ids, Settle);
            await ChaosFigures.WaitUntilNothingOwedAsync(api, requests);

            // A later request's outcome is the positive signal that duplicates still in flight have
            // arrived; one the schema rejects, so ModelsLab's figures stay those of the 500.
            var marker = Pipeline.Request() with { Width = 4096 };
            await api.Bus.Publish(marker);
            await archiver.WaitForTerminalAsync([marker.RequestId], Settle);
            await notifier.WaitForTerminalAsync([marker.RequestId], Settle);

            Report($"scale-out: {clock.Elapsed.TotalSeconds:F0} s: every request has its outcome at both subscribing services");
            var figures = await ChaosFigures.CollectAsync(api, requests, [("archiver", archiver), ("notifier", notifier)]);
            var shares = ScaleOutShares.From(balancer, subscribers);
            foreach (var line in figures.Describe("scale-out").Concat(shares.Describe()))
            {
                Report(line);
            }

            figures.AssertExactlyOneOutcomeEach();
            figures.AssertFaultsHappenedAndWorkWasDone(ChaosFaults.FailGenerationShare, ChaosFaults.SubmitInterruptions, redeliveriesCertain: false);
            shares.AssertEveryReplicaWorked(figures);
        }
        finally
        {
            foreach (var started in starting.Where(t => t.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }

            foreach (var subscriber in subscribers)
            {
                await subscriber.DisposeAsync();
            }

            if (apiToDispose is not null)
            {
                await apiToDispose.DisposeAsync();
            }
        }
    }

    /// <summary>Every node, from the <paramref name="first"/>-th on: each process tries another node first.</summary>
    private static string[] Nodes(ClusterServers cluster, int first) =>
        Enumerable.Range(0, cluster.Nodes.Count).Select(i => cluster.Nodes[(first + i) % cluster.Nodes.Count]).Select(u => $"{u.Host}:{u.Port}").ToArray();

    private void Report(string line) => TestReport.WriteLine(output, line);
}
