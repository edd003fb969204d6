using HeadShotEvents.Contracts;
using HeadShotEvents.Testing;
using MassTransit;

namespace HeadShotEvents.Service.Tests.Infrastructure;

/// <summary>
/// The service plus two independent subscriber services on the same broker: what a test of the
/// whole path needs. Every publish the service makes is also counted, so a test can say
/// "nothing was published" right after an HTTP answer.
/// </summary>
public sealed class Pipeline : IAsyncDisposable
{
    private Pipeline(ServiceApplication service, SubscriberService archiver, SubscriberService notifier, PublishedEvents published)
    {
        Service = service;
        Archiver = archiver;
        Notifier = notifier;
        Published = published;
    }

    public ServiceApplication Service { get; }
    public SubscriberService Archiver { get; }
    public SubscriberService Notifier { get; }
    public PublishedEvents Published { get; }

    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task<Pipeline> StartAsync(ServiceApplication.Options? options = null)
    {
        options ??= new ServiceApplication.Options();
        var prefix = "t" + Guid.NewGuid().ToString("N")[..12];
        var rabbit = await TestInfrastructure.RabbitMqUrlAsync();

        // Subscribers first: their queues must be bound before anything is published.
        var archiver = await SubscriberService.StartAsync(rabbit, prefix, "archiver");
        var notifier = await SubscriberService.StartAsync(rabbit, prefix, "notifier");
        var service = await ServiceApplication.StartAsync(options with
        {
            EntityPrefix = prefix,
            Simulator = new Dictionary<string, string?>(options.Simulator) { ["Simulator:QueueLimitPerKey"] = options.Simulator.GetValueOrDefault("Simulator:QueueLimitPerKey") ?? "1000" },
        });
        var published = new PublishedEvents();
        service.Bus.ConnectPublishObserver(published);
        service.Bus.ConnectConsumeObserver(published);
        return new Pipeline(service, archiver, notifier, published);
    }

    public static HeadShotRequested Request(Guid? requestId = null) => new()
    {
        RequestId = requestId ?? Guid.NewGuid(),
        Prompt = "pretty woman",
        FaceImage = "https://faces.test/568d6320.jpg",
        Width = 512,
        Height = 512,
        Samples = 1,
        NumInferenceSteps = 21,
        GuidanceScale = 5,
        Metadata = new Dictionary<string, string> { ["customer"] = "c-42" },
    };

    public Task PublishAsync(HeadShotRequested request) => Service.Bus.Publish(request);

    /// <summary>
    /// The positive signal before a "nothing else arrived" assertion: a request the schema rejects
    /// (ModelsLab is never called) published now, and its HeadShotFailed awaited at both subscribers.
    /// What was already on its way had the same path to travel. Returns the marker's RequestId.
    /// </summary>
    public async Task<Guid> SettleAsync()
    {
        var marker = Request() with { Width = 4096 };
        await PublishAsync(marker);
        await WaitForTerminalAsync(marker.RequestId);
        return marker.RequestId;
    }

    /// <summary>Both subscribers have the terminal event of every request.</summary>
    public async Task WaitForTerminalAsync(params Guid[] requestIds)
    {
        try
        {
            await Archiver.Received.WaitForTerminalAsync(requestIds, Patience);
            await Notifier.Received.WaitForTerminalAsync(requestIds, Patience);
        }
        catch (TimeoutException timeout)
        {
            // Where the missing ones stand, so a failure says more than "not arrived".
            var states = new List<string>();
            foreach (var requestId in requestIds)
            {
                var job = await Service.JobAsync(requestId);
                states.Add(job is null ? "no job" : $"{job.State} (version {job.Version})");
            }

            var stats = await Service.Simulator.GetStatsAsync();
            throw new TimeoutException($"{timeout.Message}; jobs: {string.Join(", ", states.GroupBy(s => s).Select(g => $"{g.Count()} {g.Key}"))}; " +
                $"simulator: {stats.HeadShotCalls} head_shot calls, {stats.JobsCreated} jobs created", timeout);
        }
    }

    /// <summary>
    /// Both subscribers have the terminal events AND this service's own publishes of them have
    /// completed: a subscriber can consume an event before the broker's confirm reaches the
    /// publisher, so a count of what the service published is only meaningful after this.
    /// </summary>
    public async Task WaitForPublishedTerminalAsync(params Guid[] requestIds)
    {
        await WaitForTerminalAsync(requestIds);
        await Eventually.UntilAsync(() => Task.FromResult(requestIds.All(Published.HasTerminal)), all => all, Patience,
            "the service's publishes of those terminal events to complete");
    }

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        await Archiver.DisposeAsync();
        await Notifier.DisposeAsync();
        await BrokerEntities.DeleteAsync(await TestInfrastructure.RabbitMqUrlAsync(), Service.EntityPrefix);
    }
}

/// <summary>Counts what the service's bus published, by message type, and the requests its consumers finished with.</summary>
public sealed class PublishedEvents : IPublishObserver, IConsumeObserver
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<object> _messages = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<Guid> _consumed = new();

    /// <summary>How many copies of the request a consumer has finished with (acknowledged or faulted).</summary>
    public int ConsumedCopies(Guid requestId) => _consumed.Count(id => id == requestId);

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class => Consumed(context.Message);

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Consumed(context.Message);

    private Task Consumed(object message)
    {
        if (message is HeadShotRequested request)
        {
            _consumed.Enqueue(request.RequestId);
        }

        return Task.CompletedTask;
    }

    public IReadOnlyList<T> All<T>() => _messages.OfType<T>().ToList();

    public int Terminal => All<HeadShotCompleted>().Count + All<HeadShotFailed>().Count;

    public bool HasTerminal(Guid requestId) =>
        All<HeadShotCompleted>().Any(e => e.RequestId == requestId) || All<HeadShotFailed>().Any(e => e.RequestId == requestId);

    public Task PrePublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;

    public Task PostPublish<T>(PublishContext<T> context) where T : class
    {
        _messages.Enqueue(context.Message);
        return Task.CompletedTask;
    }

    public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Task.CompletedTask;
}
