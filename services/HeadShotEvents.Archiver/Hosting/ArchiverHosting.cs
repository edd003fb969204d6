using HeadShotEvents.Archiving;
using MassTransit;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Archiver.Hosting;

public static class ArchiverHosting
{
    /// <summary>The archiver as its own process: its consumer on the service's RabbitMQ, the guarded downloader, the store.</summary>
    public static IHostApplicationBuilder AddArchiver(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MessagingOptions>()
            .BindConfiguration(MessagingOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => IsAmqpUrl(o.RabbitMqUrl), "Messaging:RabbitMqUrl must be an amqp:// or amqps:// URL.")
            .Validate(o => o.ReplicationFactor is null || o.QueueType == ArchiverQueueType.Quorum,
                "Messaging:ReplicationFactor applies to quorum queues only: set Messaging:QueueType to Quorum, or remove it.")
            .Validate(o => o.ClusterNodes.All(n => n.Trim().Split(':') is var parts && Uri.CheckHostName(parts[0]) != UriHostNameType.Unknown
                    && (parts.Length == 1 || (parts.Length == 2 && int.TryParse(parts[1], out var port) && port is > 0 and <= 65535))),
                "Messaging:ClusterNodes must each be host or host:port (port 1-65535), e.g. rabbitmq-1:5672.")
            .ValidateOnStart();

        var messaging = builder.Configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions();
        // An invalid URL is reported by the options validation at start, with the setting's name.
        builder.AddArchiving(IsAmqpUrl(messaging.RabbitMqUrl) ? new Uri(messaging.RabbitMqUrl!) : null,
            IsAmqpUrl(messaging.RabbitMqUrl) ? [.. messaging.AmqpEndpoints()] : null);

        var prefix = string.IsNullOrWhiteSpace(messaging.EntityPrefix) ? null : messaging.EntityPrefix.Trim();
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddArchiving();
            if (messaging.QueueType == ArchiverQueueType.Quorum)
            {
                // What every subscriber on a cluster declares: a queue that outlives the node leading it.
                bus.AddConfigureEndpointsCallback((_, endpoint) => (endpoint as IRabbitMqReceiveEndpointConfigurator)?.SetQuorumQueue(messaging.ReplicationFactor));
            }

            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(prefix, includeNamespace: false));
            bus.UsingRabbitMq((context, cfg) =>
            {
                var settings = context.GetRequiredService<IOptions<MessagingOptions>>().Value;
                cfg.Host(new Uri(settings.RabbitMqUrl!), host =>
                {
                    host.PublisherConfirmation = true; // HeadShotArchived is published only once the broker has it
                    if (settings.ClusterNodes.Length > 0)
                    {
                        host.UseCluster(cluster => Array.ForEach(settings.ClusterNodes, node => cluster.Node(node.Trim())));
                    }
                });
                if (prefix is not null)
                {
                    // The service's prefix: the exchanges it publishes to are named with it.
                    cfg.MessageTopology.SetEntityNameFormatter(new PrefixEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, prefix + "."));
                }

                cfg.ConfigureEndpoints(context);
            });
        });

        // Without it the first publish on a fresh broker can be lost before the bindings exist.
        builder.Services.Configure<MassTransitHostOptions>(host =>
        {
            host.WaitUntilStarted = true;
            host.StopTimeout = TimeSpan.FromSeconds(30);
        });

        return builder;
    }

    private static bool IsAmqpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "amqp" or "amqps";
}
