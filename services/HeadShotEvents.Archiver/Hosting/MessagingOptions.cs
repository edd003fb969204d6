using System.ComponentModel.DataAnnotations;

namespace HeadShotEvents.Archiver.Hosting;

/// <summary>Section <c>Messaging</c>: the broker the service publishes its events on.</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary>
    /// <c>amqp://user:password@host:5672/vhost</c>. Required: the archiver subscribes to events
    /// another process publishes, which an in-memory bus would never see.
    /// </summary>
    [Required(ErrorMessage = "Messaging:RabbitMqUrl is required: the archiver consumes HeadShotCompleted from the service's RabbitMQ.")]
    public string? RabbitMqUrl { get; set; }

    /// <summary>The service's <c>Messaging:EntityPrefix</c>, when it has one: exchange and queue names start with it.</summary>
    public string? EntityPrefix { get; set; }

    /// <summary>
    /// <c>Classic</c> (one node) or <c>Quorum</c> (a cluster: the archiver's queue, its <c>_error</c>
    /// and <c>_skipped</c> queues are replicated, as the service's are). Its <c>_parked</c> queue stays
    /// classic: see README "Running at scale".
    /// </summary>
    public ArchiverQueueType QueueType { get; set; } = ArchiverQueueType.Classic;

    /// <summary>Quorum queues only: how many nodes hold each queue; empty: the broker's default.</summary>
    [Range(1, 15, ErrorMessage = "Messaging:ReplicationFactor must be between 1 and 15 (an odd number of nodes: 3 or 5).")]
    public int? ReplicationFactor { get; set; }

    /// <summary>Every node of a RabbitMQ cluster, <c>host</c> or <c>host:port</c>; the connection moves on when its node dies.</summary>
    public string[] ClusterNodes { get; set; } = [];
}

public enum ArchiverQueueType
{
    Classic,
    Quorum,
}

public static class MessagingOptionsExtensions
{
    /// <summary>The nodes to try for a plain RabbitMQ.Client connection: the cluster's, else the URL's host.</summary>
    public static IList<RabbitMQ.Client.AmqpTcpEndpoint> AmqpEndpoints(this MessagingOptions options)
    {
        var url = new Uri(options.RabbitMqUrl!);
        return options.ClusterNodes.Length == 0
            ? [new RabbitMQ.Client.AmqpTcpEndpoint(url)]
            : options.ClusterNodes.Select(node => node.Trim().Split(':') is var parts && parts.Length == 2
                ? new RabbitMQ.Client.AmqpTcpEndpoint(parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture))
                : new RabbitMQ.Client.AmqpTcpEndpoint(parts[0], url.Port)).ToList();
    }
}
