using System.Diagnostics;
using HeadShotEvents.Benchmarks.Infrastructure;
using RabbitMQ.Client;

namespace HeadShotEvents.Benchmarks.Sections;

public sealed record BrokerResult(int Messages, int Publishers, int MessageBytes, TimeSpan Elapsed, LatencySummary Confirm, uint[] QueueCounts, CpuPerEvent Cpu)
{
    public double PerSecond => Messages / Elapsed.TotalSeconds;
}

/// <summary>
/// The baseline: RabbitMQ alone, persistent publishes each awaiting its confirm, from as many
/// concurrent publishers as the receiver has connections, of the size of a real HeadShotCompleted
/// envelope, to a fan-out exchange with 2 durable queues. Nothing the service does can beat this.
/// </summary>
public static class BrokerCeiling
{
    public static async Task<BrokerResult> RunAsync(BenchmarkSettings settings, int messageBytes, Action<string> log)
    {
        var prefix = ServiceSettings.NewPrefix();
        var exchange = $"{prefix}.ceiling";
        string[] queues = [$"{prefix}-ceiling-a", $"{prefix}-ceiling-b"];
        await using var broker = await Broker.ConnectAsync(settings.RabbitMqUrl);
        var channels = new List<IChannel>();
        try
        {
            foreach (var queue in queues)
            {
                await broker.BindQueueAsync(exchange, queue);
            }

            for (var i = 0; i < settings.BrokerPublishers; i++)
            {
                channels.Add(await broker.Connection.CreateChannelAsync(new CreateChannelOptions(
                    publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)));
            }

            var body = new byte[messageBytes];
            Random.Shared.NextBytes(body);
            log($"broker: warm-up");
            await PublishAsync(channels, exchange, body, Math.Min(1_000, settings.BrokerMessages));
            foreach (var queue in queues)
            {
                await broker.PurgeAsync(queue);
            }

            log($"broker: {settings.BrokerMessages} persistent {messageBytes}-byte publishes with confirms, {channels.Count} publishers");
            var cpu = await CpuMeter.ForAsync(null, settings.PostgresAdmin, settings.RabbitMqUrl);
            var cpuBefore = cpu.Take();
            var (elapsed, confirms) = await PublishAsync(channels, exchange, body, settings.BrokerMessages);
            var counts = await broker.WaitForCountsAsync(queues, (uint)settings.BrokerMessages, TimeSpan.FromSeconds(30));
            var cpuPerMessage = CpuMeter.PerEvent(cpuBefore, cpu.Take(), settings.BrokerMessages);
            return new BrokerResult(settings.BrokerMessages, channels.Count, messageBytes, elapsed, confirms, counts, cpuPerMessage);
        }
        finally
        {
            foreach (var channel in channels)
            {
                await channel.DisposeAsync();
            }

            await broker.DeleteQueuesAsync(queues);
            await broker.DeleteExchangesAsync([exchange]);
        }
    }

    private static async Task<(TimeSpan Elapsed, LatencySummary Confirms)> PublishAsync(IReadOnlyList<IChannel> channels, string exchange, byte[] body, int messages)
    {
        var latencies = new long[messages];
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(channels.Select(channel => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < messages)
            {
                var properties = new BasicProperties
                {
                    Persistent = true,
                    ContentType = "application/vnd.masstransit+json",
                    MessageId = Guid.NewGuid().ToString(),
                };
                var sent = Stopwatch.GetTimestamp();
                await channel.BasicPublishAsync(exchange, "", mandatory: false, properties, body);
                latencies[index] = Stopwatch.GetTimestamp() - sent;
            }
        })));
        return (Stopwatch.GetElapsedTime(started), LatencySummary.Of(latencies));
    }
}
