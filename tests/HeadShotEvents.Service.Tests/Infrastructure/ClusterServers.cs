using System.Diagnostics;

namespace HeadShotEvents.Service.Tests.Infrastructure;

/// <summary>
/// The 3-node RabbitMQ cluster the scale-out test may kill a node of: ./test.sh's own
/// (<c>CLUSTER_RABBITMQ_URLS</c>), driven through the script (<c>CLUSTER_CONTROL</c>), never a
/// broker other tests share. Without them the test fails saying so: a run on one node would claim
/// a failover it never exercised.
/// </summary>
public sealed class ClusterServers
{
    private readonly string _control;

    private ClusterServers(string control, IReadOnlyList<Uri> nodes)
    {
        _control = control;
        Nodes = nodes;
    }

    /// <summary>One AMQP URL per node, node 1 first.</summary>
    public IReadOnlyList<Uri> Nodes { get; }

    public static ClusterServers FromEnvironment()
    {
        var control = Environment.GetEnvironmentVariable("CLUSTER_CONTROL");
        var urls = Environment.GetEnvironmentVariable("CLUSTER_RABBITMQ_URLS");
        var nodes = (urls ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => new Uri(u)).ToList();
        if (string.IsNullOrEmpty(control) || nodes.Count < 3)
        {
            throw new InvalidOperationException(
                "The scale-out test kill -9s a node of a 3-node RabbitMQ cluster, so it runs only against a cluster started for it: " +
                "run it through ./test.sh (which starts nodes headshot-cluster1..3 on 127.0.0.1:5675-5677 and sets CLUSTER_CONTROL " +
                "and CLUSTER_RABBITMQ_URLS), never against a shared RABBITMQ_URL.");
        }

        return new ClusterServers(control, nodes);
    }

    /// <summary>
    /// A process's messaging settings: <paramref name="first"/>'s URL, every node in order from it
    /// (so the replicas' connections, and the queues they declare, spread over the nodes), quorum queues on all three.
    /// </summary>
    public Dictionary<string, string?> Settings(int first, string queueType = "Quorum")
    {
        var settings = new Dictionary<string, string?>
        {
            ["Messaging:RabbitMqUrl"] = Nodes[first % Nodes.Count].AbsoluteUri,
            ["Messaging:QueueType"] = queueType,
        };
        if (queueType == "Quorum")
        {
            settings["Messaging:ReplicationFactor"] = Nodes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        for (var i = 0; i < Nodes.Count; i++)
        {
            var node = Nodes[(first + i) % Nodes.Count];
            settings[$"Messaging:ClusterNodes:{i}"] = $"{node.Host}:{node.Port}";
        }

        return settings;
    }

    /// <summary>SIGKILL to node <paramref name="index"/>'s Erlang VM (1-based).</summary>
    public Task KillAsync(int index) => RunAsync("cluster-rabbitmq-kill", index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public Task StartAsync(int index) => RunAsync("cluster-rabbitmq-start", index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The 1-based index of the node leading <paramref name="queue"/>.</summary>
    public async Task<int> LeaderOfAsync(string queue) =>
        int.Parse((await RunAsync("cluster-rabbitmq-leader", queue)).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Messages ready in <paramref name="queue"/>, asked of node <paramref name="index"/> (1-based).</summary>
    public async Task<uint> DepthAsync(int index, string queue)
    {
        var factory = new RabbitMQ.Client.ConnectionFactory { Uri = Nodes[index - 1] };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    private async Task<string> RunAsync(params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", [_control, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"Could not run {_control} {string.Join(' ', arguments)}.");
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var stdout = process.StandardOutput.ReadToEndAsync(limit.Token);
        var stderr = process.StandardError.ReadToEndAsync(limit.Token);
        await process.WaitForExitAsync(limit.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{_control} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await stdout} {await stderr}");
        }

        return await stdout;
    }
}
