using System.ComponentModel.DataAnnotations;

namespace HeadShotEvents.Service.Messaging;

/// <summary>Section <c>Messaging</c>: which broker carries the events, and how its queues are declared.</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary>
    /// <c>amqp://user:password@host:5672/vhost</c>. Empty: MassTransit's in-memory transport, the
    /// embedded default, good for one process only. On a cluster: any one node; its credentials,
    /// virtual host and port hold for every node in <see cref="ClusterNodes"/>.
    /// </summary>
    public string? RabbitMqUrl { get; set; }

    /// <summary>
    /// Prefix for every exchange and queue this process declares, so several deployments (or
    /// test runs) can share one broker without consuming each other's messages. Empty in production.
    /// </summary>
    public string? EntityPrefix { get; set; }

    /// <summary>
    /// <c>Classic</c> (the default: one node, where a queue lives on that node anyway) or <c>Quorum</c>
    /// (a cluster: every queue this process declares is replicated by Raft, so it outlives the
    /// node that leads it). A queue keeps the type it was declared with: see README "Running at scale".
    /// </summary>
    public RabbitMqQueueType QueueType { get; set; } = RabbitMqQueueType.Classic;

    /// <summary>
    /// Quorum queues only: how many nodes hold each queue (odd: 3 survives one node, 5 two). Empty:
    /// the broker's default (every node of the cluster, up to its configured group size).
    /// </summary>
    [Range(1, 15, ErrorMessage = "Messaging:ReplicationFactor must be between 1 and 15 (an odd number of nodes: 3 or 5).")]
    public int? ReplicationFactor { get; set; }

    /// <summary>
    /// Every node of a RabbitMQ cluster, <c>host</c> or <c>host:port</c>
    /// (<c>Messaging__ClusterNodes__0=rabbitmq-1</c>, ...): the connection goes to the first that
    /// answers and, when its node dies, moves on to the next. Empty: <see cref="RabbitMqUrl"/>'s host only.
    /// </summary>
    public string[] ClusterNodes { get; set; } = [];
}

public enum RabbitMqQueueType
{
    Classic,
    Quorum,
}
