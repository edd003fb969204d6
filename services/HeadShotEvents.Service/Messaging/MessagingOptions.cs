namespace HeadShotEvents.Service.Messaging;

/// <summary>Section <c>Messaging</c>: which broker carries the events.</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary>
    /// <c>amqp://user:password@host:5672/vhost</c>. Empty: MassTransit's in-memory transport, the
    /// embedded default, good for one process only.
    /// </summary>
    public string? RabbitMqUrl { get; set; }

    /// <summary>
    /// Prefix for every exchange and queue this process declares, so several deployments (or
    /// test runs) can share one broker without consuming each other's messages. Empty in production.
    /// </summary>
    public string? EntityPrefix { get; set; }
}
