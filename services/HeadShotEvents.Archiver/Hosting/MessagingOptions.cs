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
    /// Set when the broker runs the <c>rabbitmq_delayed_message_exchange</c> plugin: archives still
    /// failing after <c>Archive:MaxHold</c> are then redelivered later, until the outputs expire.
    /// Without it they go to the <c>_error</c> queue (see README).
    /// </summary>
    public bool DelayedExchange { get; set; }
}
