using HeadShotEvents.Contracts;
using MassTransit;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace HeadShotEvents.Archiving;

/// <summary>Hands a message whose downloads still fail back to its queue later, as the same message (MessageId, headers, trace).</summary>
public interface IParkingLot
{
    Task ParkAsync(ConsumeContext<HeadShotCompleted> context);
}

/// <summary>
/// Hands a message back to its own queue after <see cref="ArchiveOptions.ParkDelay"/>, on a plain
/// RabbitMQ: MassTransit's delayed redelivery needs a scheduler (the delayed-message plugin, Quartz
/// or Hangfire), none of which is here. The message goes to a queue without consumers,
/// <c>{queue}_parked</c>, whose expired messages RabbitMQ dead-letters to the archiver's queue. Every
/// parked message has the same time to live, so they expire in the order they came (RabbitMQ only
/// expires messages at the head of a queue). MessageId, headers and the trace context travel with it.
/// </summary>
public sealed class RabbitMqParkingLot(Uri rabbitMqUrl, IReadOnlyList<AmqpTcpEndpoint> endpoints, IOptions<ArchiveOptions> options) : IParkingLot
{
    public const string Suffix = "_parked";

    private readonly SemaphoreSlim _declaring = new(1, 1);
    private readonly HashSet<string> _declared = [];

    public async Task ParkAsync(ConsumeContext<HeadShotCompleted> context)
    {
        var queue = context.ReceiveContext.InputAddress.AbsolutePath.Split('/')[^1];
        var parked = queue + Suffix;
        await DeclareAsync(queue, parked, context.CancellationToken);
        var endpoint = await context.GetSendEndpoint(new Uri($"exchange:{parked}"));
        await endpoint.Send(context.Message, send =>
        {
            send.MessageId = context.MessageId;
            send.TimeToLive = options.Value.ParkDelay;
        }, context.CancellationToken);
    }

    /// <summary>
    /// The parking exchange (fanout, durable: what MassTransit declares for an <c>exchange:</c>
    /// address) and its queue, whose dead letters go to <paramref name="queue"/> through the default exchange.
    /// </summary>
    private async Task DeclareAsync(string queue, string parked, CancellationToken cancellationToken)
    {
        await _declaring.WaitAsync(cancellationToken);
        try
        {
            if (_declared.Contains(parked))
            {
                return;
            }

            var factory = new ConnectionFactory { Uri = rabbitMqUrl };
            // Through any of the cluster's nodes (or the URL's one host): the parking lot is where a retry waits.
            await using var connection = await factory.CreateConnectionAsync(endpoints.Count > 0 ? endpoints : [new AmqpTcpEndpoint(rabbitMqUrl)], cancellationToken);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            await channel.ExchangeDeclareAsync(parked, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            await channel.QueueDeclareAsync(parked, durable: true, exclusive: false, autoDelete: false, new Dictionary<string, object?>
            {
                ["x-dead-letter-exchange"] = "",
                ["x-dead-letter-routing-key"] = queue,
            }, cancellationToken: cancellationToken);
            await channel.QueueBindAsync(parked, parked, "", cancellationToken: cancellationToken);
            _declared.Add(parked);
        }
        finally
        {
            _declaring.Release();
        }
    }
}

/// <summary>
/// On MassTransit's in-memory bus (the service's embedded profile) the transport delays a send
/// itself; a parked message lives as long as the process, like everything on that bus.
/// </summary>
public sealed class InMemoryParkingLot(IOptions<ArchiveOptions> options) : IParkingLot
{
    public async Task ParkAsync(ConsumeContext<HeadShotCompleted> context)
    {
        var endpoint = await context.GetSendEndpoint(context.ReceiveContext.InputAddress);
        await endpoint.Send(context.Message, send =>
        {
            send.MessageId = context.MessageId;
            send.Delay = options.Value.ParkDelay;
        }, context.CancellationToken);
    }
}
