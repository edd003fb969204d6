using System.Collections.Concurrent;
using HeadShotEvents.Contracts;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HeadShotEvents.Service.Tests.Infrastructure;

/// <summary>
/// A separate service of a user's, built as README tells: only the contracts and MassTransit,
/// its own queue bound to the HeadShotCompleted and HeadShotFailed exchanges.
/// </summary>
public sealed class SubscriberService : IAsyncDisposable
{
    private readonly IHost _host;

    private SubscriberService(IHost host, ReceivedEvents received)
    {
        _host = host;
        Received = received;
    }

    public ReceivedEvents Received { get; }

    // ackDelay: how long each consume takes after recording the event. A subscriber with unacknowledged
    // deliveries in hand when the broker dies sees them again (the chaos test wants that).
    // cluster: another replica of a subscribing service on a RabbitMQ cluster, as README tells: quorum
    // queues, every node, and what it receives also recorded in the whole service's events.
    public static async Task<SubscriberService> StartAsync(string rabbitMqUrl, string entityPrefix, string queueName, TimeSpan ackDelay = default,
        SubscriberOnCluster? cluster = null)
    {
        var received = new ReceivedEvents { AckDelay = ackDelay, AlsoInto = cluster?.Service };
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(received);
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddConsumer<RecordingConsumer>().Endpoint(endpoint => endpoint.Name = $"{entityPrefix}-{queueName}");
            if (cluster is not null)
            {
                bus.AddConfigureEndpointsCallback((_, endpoint) => (endpoint as IRabbitMqReceiveEndpointConfigurator)?.SetQuorumQueue(cluster.ReplicationFactor));
            }

            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(new Uri(rabbitMqUrl), host =>
                {
                    if (cluster is not null)
                    {
                        host.UseCluster(c => Array.ForEach(cluster.Nodes, c.Node));
                    }
                });
                cfg.MessageTopology.SetEntityNameFormatter(new PrefixEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, entityPrefix + "."));
                cfg.ConfigureEndpoints(context);
            });
        });
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        var host = builder.Build();
        await host.StartAsync();
        return new SubscriberService(host, received);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    private sealed class RecordingConsumer(ReceivedEvents received) : IConsumer<HeadShotCompleted>, IConsumer<HeadShotFailed>, IConsumer<HeadShotSubmitted>
    {
        public Task Consume(ConsumeContext<HeadShotCompleted> context) => received.Add(context);
        public Task Consume(ConsumeContext<HeadShotFailed> context) => received.Add(context);
        public Task Consume(ConsumeContext<HeadShotSubmitted> context) => received.Add(context);
    }
}

/// <param name="Nodes">Every node, <c>host:port</c>, in the order this replica tries them.</param>
/// <param name="ReplicationFactor">Its queue's quorum size (an odd number).</param>
/// <param name="Service">Every replica's events together: what the subscribing service as a whole received.</param>
public sealed record SubscriberOnCluster(string[] Nodes, int ReplicationFactor, ReceivedEvents Service);

/// <summary>Every event one subscriber received, with its envelope's MessageId; awaitable.</summary>
public sealed class ReceivedEvents
{
    private readonly ConcurrentQueue<(object Message, Guid? MessageId, string? Replay)> _events = new();
    private readonly SemaphoreSlim _arrived = new(0);

    internal TimeSpan AckDelay { get; init; }

    /// <summary>Where each event is recorded too (a replica's into its whole service's).</summary>
    internal ReceivedEvents? AlsoInto { get; init; }

    /// <summary>Events recorded (with every repeated delivery).</summary>
    public int Count => _events.Count;

    public IReadOnlyList<T> All<T>() => _events.Select(e => e.Message).OfType<T>().ToList();

    public IReadOnlyList<(T Message, Guid? MessageId)> WithIds<T>() =>
        _events.Where(e => e.Message is T).Select(e => ((T)e.Message, e.MessageId)).ToList();

    /// <summary>Each event with its MessageId and its <c>HeadShotEvents-Replay</c> header (null when absent).</summary>
    public IReadOnlyList<(T Message, Guid? MessageId, string? Replay)> WithReplayHeader<T>() =>
        _events.Where(e => e.Message is T).Select(e => ((T)e.Message, e.MessageId, e.Replay)).ToList();

    private int _inHand;

    /// <summary>Deliveries recorded and not yet acknowledged (only with an ack delay).</summary>
    public int InHand => Volatile.Read(ref _inHand);

    internal async Task Add<T>(ConsumeContext<T> context) where T : class
    {
        var replay = context.Headers.Get<string>("HeadShotEvents-Replay");
        Record(context.Message, context.MessageId, replay);
        AlsoInto?.Record(context.Message, context.MessageId, replay);
        if (AckDelay > TimeSpan.Zero)
        {
            Interlocked.Increment(ref _inHand);
            try
            {
                await Task.Delay(AckDelay, context.CancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _inHand);
            }
        }
    }

    private void Record(object message, Guid? messageId, string? replay)
    {
        _events.Enqueue((message, messageId, replay));
        _arrived.Release();
    }

    /// <summary>Waits until <paramref name="done"/> holds, or fails the test with what did arrive.</summary>
    public async Task WaitForAsync(Func<ReceivedEvents, bool> done, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!done(this))
        {
            try
            {
                await _arrived.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Waited {timeout} for {what}; received: {Describe()}");
            }
        }
    }

    /// <summary>Waits for the terminal event of each of <paramref name="requestIds"/>.</summary>
    public Task WaitForTerminalAsync(IReadOnlyCollection<Guid> requestIds, TimeSpan timeout) =>
        WaitForAsync(events => requestIds.All(events.HasTerminal), timeout, $"terminal events of {requestIds.Count} requests");

    public bool HasTerminal(Guid requestId) =>
        All<HeadShotCompleted>().Any(e => e.RequestId == requestId) || All<HeadShotFailed>().Any(e => e.RequestId == requestId);

    private string Describe() =>
        string.Join(", ", _events.GroupBy(e => e.Message.GetType().Name).Select(g => $"{g.Count()} {g.Key}")) is { Length: > 0 } text ? text : "nothing";
}
