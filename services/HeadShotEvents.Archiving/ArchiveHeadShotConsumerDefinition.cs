using MassTransit;

namespace HeadShotEvents.Archiving;

/// <summary>
/// Download retries happen inside the consume (backoff up to <c>Archive:MaxHold</c>); a message
/// still failing then is parked and comes back later (<see cref="IParkingLot"/>), until its outputs
/// expire. What is left for MassTransit's retry is storage or broker trouble: a short immediate
/// retry, then the <c>_error</c> queue.
/// </summary>
public sealed class ArchiveHeadShotConsumerDefinition : ConsumerDefinition<ArchiveHeadShotConsumer>
{
    public ArchiveHeadShotConsumerDefinition()
    {
        // Each message may hold its slot for minutes of backoff: enough slots that one dead CDN
        // link does not stall the queue, few enough to stay polite to the CDN.
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ArchiveHeadShotConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(retry =>
            retry.Exponential(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(500)));
    }
}
