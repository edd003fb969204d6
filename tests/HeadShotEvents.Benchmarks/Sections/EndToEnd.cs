using System.Collections.Concurrent;
using System.Diagnostics;
using HeadShotEvents.Benchmarks.Infrastructure;
using HeadShotEvents.Contracts;
using HeadShotEvents.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HeadShotEvents.Benchmarks.Sections;

public sealed record EndToEndResult(
    double OfferedPerSecond, int Requested, int Completed, int Failed, TimeSpan PublishWindow, LatencySummary Latency, LatencySummary AfterSettling, CpuPerEvent Cpu, WarmUpSummary WarmUp, IReadOnlyList<string> Problems)
{
    /// <summary>Requests actually published per second (the offered rate, unless the publisher fell behind).</summary>
    public double PublishedPerSecond => Requested / PublishWindow.TotalSeconds;
}

/// <summary>
/// The whole path at a fixed offered rate: HeadShotRequested published on the bus, the submitter,
/// the simulator (generation time 0, webhook at once), the receiver, HeadShotCompleted consumed by a
/// subscriber of the user's kind. Latency is publish to consume, per request; <c>AfterSettling</c> is
/// its last part, from the job's terminal write (the event's CompletedAt) to the consume: the outbox
/// dispatcher, the broker and the subscriber. The rest is the bus to the submitter, ModelsLab and the callback.
/// </summary>
public static class EndToEnd
{
    public static async Task<EndToEndResult> RunAsync(BenchmarkSettings settings, Action<string> log)
    {
        var prefix = ServiceSettings.NewPrefix();
        await using var broker = await Broker.ConnectAsync(settings.RabbitMqUrl);
        await using var database = await BenchDatabase.CreateAsync(settings.PostgresServer);
        var subscriberQueue = $"{prefix}-bench-subscriber";
        try
        {
            var address = LoopbackPorts.FreeAddress();
            var serviceSettings = ServiceSettings.For("Submitter,Receiver,Simulator", address, database, settings.RabbitMqUrl, prefix);
            serviceSettings["ModelsLab:BaseUrl"] = new Uri(address, "api/v6/").AbsoluteUri;
            serviceSettings["ModelsLab:ApiKey"] = "bench-key";
            serviceSettings["Simulator:ApiKeys:0"] = "bench-key";
            serviceSettings["Simulator:GenerationTime"] = "00:00:00";
            // ModelsLab's per-key queue (5 to 15 jobs) would cap the rate at what it allows, not at what the service does.
            serviceSettings["Simulator:QueueLimitPerKey"] = "100000";
            serviceSettings["ModelsLab:MaxQueuedJobs"] = "1000";
            // Likewise the submitter's concurrency, sized for ModelsLab's small per-key queue by default.
            serviceSettings["Submitter:ConcurrentMessageLimit"] = "64";
            // The simulator's outputs are http://127.0.0.1:<port>/...: a development host.
            serviceSettings["Webhooks:DevelopmentHosts:0"] = "127.0.0.1";
            // The simulator stands in for ModelsLab, whose logging is not the service's cost: its two
            // lines per job (accepted, webhook delivered) went to the console at 1,000 lines/s.
            serviceSettings["Logging:LogLevel:HeadShotEvents.Simulator"] = "Warning";
            await using var service = await ServiceHost.StartAsync(address, serviceSettings);

            var outcomes = new Outcomes();
            using var subscriber = await StartSubscriberAsync(settings.RabbitMqUrl, prefix, subscriberQueue, outcomes);
            var bus = subscriber.Services.GetRequiredService<IBus>();

            // At half the rate, so no backlog is carried over; in rounds until the JIT has settled in the
            // one process that submits, receives and simulates (see WarmUp).
            var warmUpRate = Math.Max(1, settings.EndToEndRate / 2);
            var round = settings.EndToEndWarmUpRound;
            log($"e2e: warm-up at {warmUpRate}/s, rounds of {round.TotalSeconds} s, at least {settings.EndToEndWarmUp.TotalSeconds} s");
            await using var jit = JitWatch.TryStart(service.ProcessId, log);
            var warmUp = await WarmUp.UntilJitSettlesAsync(jit, async _ =>
            {
                var offered = await OfferAsync(bus, outcomes, warmUpRate, round);
                await outcomes.WaitForAsync(offered.Keys, TimeSpan.FromSeconds(120));
                return offered.Count;
            }, minRounds: WarmUp.RoundsFor(settings.EndToEndWarmUp.TotalSeconds, round.TotalSeconds), settings.MaxWarmUpRounds, "e2e", log);
            await Task.Delay(settings.WarmUpPause);

            log($"e2e: HeadShotRequested at {settings.EndToEndRate}/s for {settings.EndToEndDuration.TotalSeconds} s");
            var cpu = await CpuMeter.ForAsync(service.ProcessId, settings.PostgresAdmin, settings.RabbitMqUrl);
            var cpuBefore = cpu.Take();
            var jitBefore = jit?.Take();
            var started = Stopwatch.GetTimestamp();
            var published = await OfferAsync(bus, outcomes, settings.EndToEndRate, settings.EndToEndDuration);
            var window = Stopwatch.GetElapsedTime(started);
            // A service slower than the offered rate works off a backlog: give it time to, then report what is missing.
            await outcomes.WaitForAsync(published.Keys, TimeSpan.FromSeconds(Math.Max(120, published.Count / 10.0)));
            var cpuPerRequest = CpuMeter.PerEvent(cpuBefore, cpu.Take(), published.Count);
            warmUp = warmUp with { Measured = jitBefore is null ? null : jit!.Take().Since(jitBefore) };

            var latencies = new List<long>();
            var afterSettling = new List<long>();
            int completed = 0, failed = 0;
            foreach (var (requestId, publishedAt) in published)
            {
                if (outcomes.Completed.TryGetValue(requestId, out var consumedAt))
                {
                    completed++;
                    latencies.Add(consumedAt - publishedAt);
                    afterSettling.Add(outcomes.AfterSettling[requestId]);
                }
                else if (outcomes.Failed.ContainsKey(requestId))
                {
                    failed++;
                }
            }

            var problems = new List<string>();
            if (completed != published.Count)
            {
                problems.Add($"{completed} of {published.Count} requests were consumed as HeadShotCompleted ({failed} failed, {published.Count - completed - failed} missing).");
            }

            await subscriber.StopAsync();
            return new EndToEndResult(settings.EndToEndRate, published.Count, completed, failed, window, Infrastructure.LatencySummary.Of(latencies), Infrastructure.LatencySummary.Of(afterSettling), cpuPerRequest, warmUp, problems);
        }
        finally
        {
            // The submitter's endpoints and its fault consumer's (which binds the exchange of
            // Fault<HeadShotRequested>), each a queue and an exchange of one name, then the events'.
            string[] endpoints = [.. new[] { "submit-head-shot", "submit-head-shot-fault" }
                .SelectMany(e => new[] { $"{prefix}-{e}", $"{prefix}-{e}_error", $"{prefix}-{e}_skipped" })];
            await broker.DeleteQueuesAsync([subscriberQueue, .. endpoints]);
            await broker.DeleteExchangesAsync(new[] { "HeadShotRequested", "HeadShotSubmitted", "HeadShotCompleted", "HeadShotFailed" }
                .Select(c => Broker.EventExchange(prefix, c))
                .Append($"{prefix}.MassTransit:Fault--HeadShotEvents.Contracts:HeadShotRequested--")
                .Append(subscriberQueue).Concat(endpoints));
            await broker.DeleteEverythingPrefixedAsync(prefix);
        }
    }

    /// <summary>
    /// Publishes at a fixed rate, open loop: each request goes out at its due time whether or not
    /// earlier ones have been confirmed, as independent publishers would send them.
    /// </summary>
    private static async Task<Dictionary<Guid, long>> OfferAsync(IBus bus, Outcomes outcomes, double rate, TimeSpan duration)
    {
        var count = (int)(rate * duration.TotalSeconds);
        var publishedAt = new Dictionary<Guid, long>(count);
        var publishes = new List<Task>(count);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count;)
        {
            var now = Stopwatch.GetElapsedTime(started);
            for (; i < count && TimeSpan.FromSeconds(i / rate) <= now; i++)
            {
                var request = Request();
                publishedAt[request.RequestId] = Stopwatch.GetTimestamp();
                publishes.Add(bus.Publish(request));
            }

            await Task.Delay(1);
        }

        await Task.WhenAll(publishes);
        return publishedAt;
    }

    private static HeadShotRequested Request() => new()
    {
        RequestId = Guid.NewGuid(),
        Prompt = "pretty woman",
        FaceImage = "https://example.com/face.jpg",
        Width = 512,
        Height = 512,
        NumInferenceSteps = 21,
        GuidanceScale = 5,
        Metadata = new Dictionary<string, string> { ["customer"] = "bench" },
    };

    /// <summary>A user's service: only the contracts and MassTransit, its own queue on the events' exchanges.</summary>
    private static async Task<IHost> StartSubscriberAsync(string rabbitMqUrl, string prefix, string queue, Outcomes outcomes)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(outcomes);
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddConsumer<OutcomeRecorder>().Endpoint(endpoint => endpoint.Name = queue);
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(new Uri(rabbitMqUrl));
                cfg.MessageTopology.SetEntityNameFormatter(new PrefixEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, prefix + "."));
                cfg.ConfigureEndpoints(context);
            });
        });
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    internal sealed class Outcomes
    {
        public ConcurrentDictionary<Guid, long> Completed { get; } = new();
        public ConcurrentDictionary<Guid, long> Failed { get; } = new();

        /// <summary>From the event's CompletedAt (the service's clock: this machine's) to its consume, in Stopwatch ticks.</summary>
        public ConcurrentDictionary<Guid, long> AfterSettling { get; } = new();

        public async Task WaitForAsync(IEnumerable<Guid> requests, TimeSpan timeout)
        {
            var pending = requests.ToList();
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline)
            {
                pending.RemoveAll(id => Completed.ContainsKey(id) || Failed.ContainsKey(id));
                if (pending.Count == 0)
                {
                    return;
                }

                await Task.Delay(50);
            }
        }
    }

    internal sealed class OutcomeRecorder(Outcomes outcomes) : IConsumer<HeadShotCompleted>, IConsumer<HeadShotFailed>
    {
        public Task Consume(ConsumeContext<HeadShotCompleted> context)
        {
            outcomes.AfterSettling.TryAdd(context.Message.RequestId,
                (long)((DateTimeOffset.UtcNow - context.Message.CompletedAt).TotalSeconds * Stopwatch.Frequency));
            outcomes.Completed.TryAdd(context.Message.RequestId, Stopwatch.GetTimestamp());
            return Task.CompletedTask;
        }

        public Task Consume(ConsumeContext<HeadShotFailed> context)
        {
            outcomes.Failed.TryAdd(context.Message.RequestId, Stopwatch.GetTimestamp());
            return Task.CompletedTask;
        }
    }
}
