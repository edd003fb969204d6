using HeadShotEvents.Archiving.Downloads;
using HeadShotEvents.Archiving.Storage;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Archiving;

/// <summary>
/// The archiver's registrations, shared by its two hosts: the archiver's own executable (on the
/// service's RabbitMQ) and the service's <c>Archiver</c> role (on the service's own bus, in memory
/// in the embedded profile). Sections <c>Archive</c>, <c>Downloads</c> and <c>Storage</c>.
/// </summary>
public static class ArchivingRegistration
{
    /// <summary>
    /// The archivist, the guarded downloader and the store. <paramref name="rabbitMqUrl"/> is the
    /// bus's broker, where parked messages wait; null on MassTransit's in-memory transport.
    /// </summary>
    public static IHostApplicationBuilder AddArchiving(this IHostApplicationBuilder builder, Uri? rabbitMqUrl, IReadOnlyList<RabbitMQ.Client.AmqpTcpEndpoint>? clusterNodes = null)
    {
        builder.Services.AddOptions<ArchiveOptions>()
            .BindConfiguration(ArchiveOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.InitialBackoff <= o.MaxBackoff, "Archive:InitialBackoff must not exceed Archive:MaxBackoff.")
            .ValidateOnStart();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ArchiverMetrics>();
        builder.AddOutputDownloads();
        builder.AddArchiveStore();
        builder.Services.AddScoped<Archivist>();
        builder.Services.AddSingleton<IParkingLot>(services => rabbitMqUrl is null
            ? new InMemoryParkingLot(services.GetRequiredService<IOptions<ArchiveOptions>>())
            : new RabbitMqParkingLot(rabbitMqUrl, clusterNodes ?? [], services.GetRequiredService<IOptions<ArchiveOptions>>()));
        return builder;
    }

    /// <summary>The consumer of <c>HeadShotCompleted</c>, on its own queue <c>archive-head-shot</c> (with the bus's prefix).</summary>
    public static IBusRegistrationConfigurator AddArchiving(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<ArchiveHeadShotConsumer, ArchiveHeadShotConsumerDefinition>();
        return bus;
    }
}
