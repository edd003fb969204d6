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
}
