using HeadShotEvents.Archiving;
using HeadShotEvents.Archiver.Tests.Infrastructure;
using HeadShotEvents.Contracts;
using HeadShotEvents.Testing;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HeadShotEvents.Archiver.Tests;

/// <summary>
/// The archiver on MassTransit's in-memory bus, as the service's Archiver role hosts it in the
/// embedded profile (AddArchiving with no broker): a folder store, and parking by the transport's own delay.
/// </summary>
public sealed class InMemoryBusTests
{
    [Fact]
    public async Task On_the_in_memory_bus_a_parked_message_comes_back_after_the_park_delay_and_is_archived()
    {
        // The output appears after 6 s, each delivery retries for 1 s: only a parked copy gets there.
        var parkDelay = TimeSpan.FromSeconds(1.5);
        var folder = Directory.CreateTempSubdirectory("archive-");
        using var spans = new SpanRecorder();
        await using var simulator = await LoopbackSimulator.StartAsync(options => options.GenerationTime = TimeSpan.FromSeconds(6));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Downloads:DevelopmentHosts:0"] = "127.0.0.1",
            ["Downloads:AllowInternalAddresses"] = "true",
            ["Archive:InitialBackoff"] = "00:00:00.100",
            ["Archive:MaxBackoff"] = "00:00:00.200",
            ["Archive:MaxHold"] = "00:00:01",
            ["Archive:ParkDelay"] = parkDelay.ToString(),
            ["Storage:Provider"] = "Folder",
            ["Storage:Folder:Path"] = folder.FullName,
        });
        builder.Logging.ClearProviders();
        builder.AddArchiving(rabbitMqUrl: null);
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddArchiving();
            bus.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
        });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var completed = ArchiveRig.Completion(await simulator.GenerateAsync(samples: 1));
            await host.Services.GetRequiredService<IBus>().Publish(completed);

            var deliveries = await spans.WaitForArchiveOutcomeAsync(completed.RequestId, "archived", ArchiveRig.Patience);

            var ordered = deliveries.OrderBy(span => span.StartTimeUtc).ToList();
            Assert.InRange(ordered.Count, 2, 6);
            Assert.Equal("parked", (string?)ordered[0].GetTagItem(ArchiverTelemetry.OutcomeTag));
            // The transport held the parked copy for the park delay, not a busy loop of redeliveries.
            var parked = ordered[1].StartTimeUtc - (ordered[0].StartTimeUtc + ordered[0].Duration);
            // Measured from the first span's end, which comes after the parking was scheduled: a stall
            // there shortens the gap, so the lower bound is half the delay (a busy loop shows about 0).
            Assert.InRange(parked, parkDelay / 2, parkDelay + TimeSpan.FromSeconds(5));
            var stored = await File.ReadAllBytesAsync(Path.Combine(folder.FullName, completed.RequestId.ToString(), "0.png"));
            Assert.Equal(PngImage.Decode(stored).Width, PngImage.Decode((await simulator.GetAsync(completed.Outputs[0])).Body).Width);
            Assert.True(File.Exists(Path.Combine(folder.FullName, completed.RequestId.ToString(), "archived.json")));
        }
        finally
        {
            await host.StopAsync();
            folder.Delete(recursive: true);
        }
    }
}
