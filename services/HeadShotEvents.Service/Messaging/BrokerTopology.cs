using MassTransit;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Messaging;

/// <summary>
/// How this process reaches RabbitMQ (one node or a cluster) and declares its queues (classic or
/// quorum), checked before anything starts.
/// </summary>
internal static class BrokerTopology
{
    public static OptionsBuilder<MessagingOptions> ValidateBroker(this OptionsBuilder<MessagingOptions> options) => options
        .Validate(o => string.IsNullOrWhiteSpace(o.RabbitMqUrl) || IsAmqpUrl(o.RabbitMqUrl),
            "Messaging:RabbitMqUrl must be an amqp:// or amqps:// URL (or empty for the in-memory bus).")
        .Validate(o => o.QueueType != RabbitMqQueueType.Quorum || !string.IsNullOrWhiteSpace(o.RabbitMqUrl),
            "Messaging:QueueType Quorum needs RabbitMQ (Messaging:RabbitMqUrl): the in-memory bus has no queues to replicate.")
        .Validate(o => o.ReplicationFactor is null || o.QueueType == RabbitMqQueueType.Quorum,
            "Messaging:ReplicationFactor applies to quorum queues only: set Messaging:QueueType to Quorum, or remove it.")
        .Validate(o => o.ClusterNodes.Length == 0 || !string.IsNullOrWhiteSpace(o.RabbitMqUrl),
            "Messaging:ClusterNodes needs Messaging:RabbitMqUrl, whose credentials and virtual host every node shares.")
        .Validate(o => o.ClusterNodes.All(IsNodeAddress),
            "Messaging:ClusterNodes must each be host or host:port (port 1-65535), e.g. rabbitmq-1:5672.");

    /// <summary>The host (or cluster) and publisher confirms: what "nothing lost" rests on.</summary>
    public static void ConfigureHost(this IRabbitMqBusFactoryConfigurator cfg, MessagingOptions options) =>
        cfg.Host(new Uri(options.RabbitMqUrl!), host =>
        {
            // A publish completes only once the broker has the message (for a quorum queue: once
            // a majority of its nodes has it). MassTransit's default today; the outbox's "event
            // delivered" mark must never depend on a default that could change.
            host.PublisherConfirmation = true;
            if (options.ClusterNodes.Length > 0)
            {
                // Tried in order; when the connected node dies, the connection moves to the next.
                host.UseCluster(cluster =>
                {
                    foreach (var node in options.ClusterNodes)
                    {
                        cluster.Node(node.Trim());
                    }
                });
            }
        });

    /// <summary>
    /// Every receive endpoint ConfigureEndpoints declares becomes a quorum queue (its <c>_error</c>
    /// and <c>_skipped</c> queues copy its arguments, so they are quorum too).
    /// </summary>
    public static void DeclareQueuesAs(this IBusRegistrationConfigurator bus, MessagingOptions options)
    {
        if (options.QueueType != RabbitMqQueueType.Quorum)
        {
            return;
        }

        bus.AddConfigureEndpointsCallback((_, endpoint) =>
        {
            if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
            {
                rabbit.SetQuorumQueue(options.ReplicationFactor);
            }
        });
    }

    private static bool IsAmqpUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "amqp" or "amqps";

    private static bool IsNodeAddress(string? node)
    {
        var parts = (node ?? "").Trim().Split(':');
        return parts[0].Length > 0 && Uri.CheckHostName(parts[0]) != UriHostNameType.Unknown && parts.Length switch
        {
            1 => true,
            2 => int.TryParse(parts[1], out var port) && port is > 0 and <= 65535,
            _ => false,
        };
    }
}
