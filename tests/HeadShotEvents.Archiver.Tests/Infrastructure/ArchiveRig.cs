using System.Net;
using HeadShotEvents.Contracts;
using HeadShotEvents.Testing;
using MassTransit;

namespace HeadShotEvents.Archiver.Tests.Infrastructure;

/// <summary>
/// One test's world: the simulator, the archiver and a watching subscriber on the real broker
/// under an entity prefix of its own, and the spans. Disposing deletes what it declared.
/// </summary>
public sealed class ArchiveRig : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private ArchiveRig(string prefix, LoopbackSimulator simulator, ArchiveWatcher watcher, ArchiverApplication archiver, SpanRecorder spans)
    {
        Prefix = prefix;
        Simulator = simulator;
        Watcher = watcher;
        Archiver = archiver;
        Spans = spans;
    }

    public string Prefix { get; }
    public LoopbackSimulator Simulator { get; }
    public ArchiveWatcher Watcher { get; }
    public ArchiverApplication Archiver { get; }
    public SpanRecorder Spans { get; }

    public static async Task<ArchiveRig> StartAsync(
        Action<HeadShotEvents.Simulator.SimulatorOptions>? simulator = null,
        IReadOnlyDictionary<string, string?>? archiverSettings = null,
        IReadOnlyDictionary<string, IPAddress>? hostNames = null)
    {
        var prefix = "a" + Guid.NewGuid().ToString("N")[..12];
        var spans = new SpanRecorder();
        var sim = await LoopbackSimulator.StartAsync(options =>
        {
            options.GenerationTime = TimeSpan.Zero;
            simulator?.Invoke(options);
        });
        // The watcher first: its queue must be bound before anything is published.
        var watcher = await ArchiveWatcher.StartAsync(prefix);
        var archiver = await ArchiverApplication.StartAsync(prefix, archiverSettings, hostNames);
        return new ArchiveRig(prefix, sim, watcher, archiver, spans);
    }

    /// <summary>A completion of <paramref name="outputs"/>, as the service publishes it.</summary>
    public static HeadShotCompleted Completion(IReadOnlyList<string> outputs, DateTimeOffset? expiresAt = null) => new()
    {
        RequestId = Guid.NewGuid(),
        TrackId = 42,
        ModelsLabId = "1",
        Outputs = outputs,
        OutputsExpireAt = expiresAt ?? DateTimeOffset.UtcNow.AddHours(24),
        Delivery = HeadShotDelivery.Webhook,
        CompletedAt = DateTimeOffset.UtcNow,
        Metadata = new Dictionary<string, string> { ["customer"] = "c-42" },
    };

    /// <summary>Publishes it with the MessageId the service would give it, so a second call is a redelivered copy.</summary>
    public Task PublishAsync(HeadShotCompleted completed) =>
        Watcher.Bus.Publish(completed, context => context.MessageId = DerivedMessageId(completed.RequestId));

    private static Guid DerivedMessageId(Guid requestId) => new(System.Security.Cryptography.MD5.HashData(requestId.ToByteArray()));

    /// <summary>The archiver's error queue, where what it could not finish waits for an operator.</summary>
    public string ErrorQueue => $"{Prefix}-archive-head-shot_error";

    public async ValueTask DisposeAsync()
    {
        await Archiver.DisposeAsync();
        await Watcher.DisposeAsync();
        await Simulator.DisposeAsync();
        Spans.Dispose();
        string[] endpoints = ["-archive-head-shot", "-archive-head-shot_error", "-archive-head-shot_skipped", "-archive-head-shot_parked", "-archive-watcher", "-archive-watcher_error", "-archive-watcher_skipped"];
        await Broker.DeleteAsync(Prefix, endpoints, [
            .. endpoints,
            ".HeadShotEvents.Contracts:HeadShotCompleted",
            ".HeadShotEvents.Contracts:HeadShotArchived",
            ".HeadShotEvents.Contracts:HeadShotArchiveFailed",
            ".MassTransit:Fault",
            ".MassTransit:Fault--HeadShotEvents.Contracts:HeadShotCompleted--",
        ]);
    }
}
