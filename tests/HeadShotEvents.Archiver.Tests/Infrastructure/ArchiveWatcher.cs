using System.Collections.Concurrent;
using HeadShotEvents.Contracts;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HeadShotEvents.Archiver.Tests.Infrastructure;

/// <summary>
/// A user's service on the same broker, built as README tells: publishes HeadShotCompleted (as the
/// service would) and subscribes to HeadShotArchived and HeadShotArchiveFailed on its own queue.
/// </summary>
public sealed class ArchiveWatcher : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly ConcurrentQueue<(object Message, Guid? MessageId)> _events = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private ArchiveWatcher(IHost host) => _host = host;

    public IBus Bus => _host.Services.GetRequiredService<IBus>();

    public static async Task<ArchiveWatcher> StartAsync(string entityPrefix)
    {
        var rabbit = await Broker.UrlAsync();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        ArchiveWatcher? watcher = null;
        builder.Services.AddSingleton(_ => watcher!);
        builder.Services.AddMassTransit(bus =>
        {
            // One at a time, in queue order: a later event arriving proves an earlier one would have.
            bus.AddConsumer<RecordingConsumer>().Endpoint(endpoint =>
            {
                endpoint.Name = $"{entityPrefix}-archive-watcher";
                endpoint.ConcurrentMessageLimit = 1;
            });
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(new Uri(rabbit));
                cfg.MessageTopology.SetEntityNameFormatter(new PrefixEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, entityPrefix + "."));
                cfg.ConfigureEndpoints(context);
            });
        });
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        var host = builder.Build();
        watcher = new ArchiveWatcher(host);
        await host.StartAsync();
        return watcher;
    }

    public IReadOnlyList<(T Message, Guid? MessageId)> Received<T>() =>
        _events.Where(e => e.Message is T).Select(e => ((T)e.Message, e.MessageId)).ToList();

    /// <summary>Waits for the first <typeparamref name="T"/> about <paramref name="requestId"/>; fails naming what did arrive.</summary>
    public async Task<T> WaitForAsync<T>(Guid requestId, Func<T, Guid> requestIdOf, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            if (Received<T>().Select(e => e.Message).FirstOrDefault(m => requestIdOf(m) == requestId) is { } found)
            {
                return found;
            }

            try
            {
                await _arrived.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                var seen = string.Join(", ", _events.Select(e => e.Message.GetType().Name));
                throw new TimeoutException($"Waited {timeout} for {typeof(T).Name} of {requestId}; received: {(seen.Length > 0 ? seen : "nothing")}");
            }
        }
    }

    public Task<HeadShotArchived> ArchivedAsync(Guid requestId, TimeSpan timeout) => WaitForAsync<HeadShotArchived>(requestId, m => m.RequestId, timeout);

    public Task<HeadShotArchiveFailed> ArchiveFailedAsync(Guid requestId, TimeSpan timeout) => WaitForAsync<HeadShotArchiveFailed>(requestId, m => m.RequestId, timeout);

    /// <summary>The first archive outcome of the request, whichever kind: a test that expects one kind fails fast on the other.</summary>
    public Task<object> OutcomeAsync(Guid requestId, TimeSpan timeout) => WaitForAsync<object>(requestId, m => m switch
    {
        HeadShotArchived archived => archived.RequestId,
        HeadShotArchiveFailed failed => failed.RequestId,
        _ => Guid.Empty,
    }, timeout);

    private void Add(object message, Guid? messageId)
    {
        _events.Enqueue((message, messageId));
        _arrived.Release();
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    private sealed class RecordingConsumer(ArchiveWatcher watcher) : IConsumer<HeadShotArchived>, IConsumer<HeadShotArchiveFailed>
    {
        public Task Consume(ConsumeContext<HeadShotArchived> context)
        {
            watcher.Add(context.Message, context.MessageId);
            return Task.CompletedTask;
        }

        public Task Consume(ConsumeContext<HeadShotArchiveFailed> context)
        {
            watcher.Add(context.Message, context.MessageId);
            return Task.CompletedTask;
        }
    }
}
