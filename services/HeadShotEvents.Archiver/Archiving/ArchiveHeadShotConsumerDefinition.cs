using HeadShotEvents.Archiver.Hosting;
using MassTransit;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Archiver.Archiving;

/// <summary>
/// Download retries happen inside the consume (backoff up to <c>Archive:MaxHold</c>), since RabbitMQ
/// without the delayed-message plugin has no scheduler to hand a message back to later. What is
/// still failing after the hold is redelivered later when a scheduler exists, else moved to the
/// <c>_error</c> queue for an operator; storage and broker hiccups get a short immediate retry.
/// </summary>
public sealed class ArchiveHeadShotConsumerDefinition : ConsumerDefinition<ArchiveHeadShotConsumer>
{
    private readonly bool _delayedRedelivery;

    public ArchiveHeadShotConsumerDefinition(IOptions<MessagingOptions> messaging)
    {
        _delayedRedelivery = messaging.Value.DelayedExchange;
        // Each message may hold its slot for minutes of backoff: enough slots that one dead CDN
        // link does not stall the queue, few enough to stay polite to the CDN.
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ArchiveHeadShotConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        if (_delayedRedelivery)
        {
            // Every hold ends before the outputs expire or in a HeadShotArchiveFailed, so 30 hourly
            // redeliveries outlast the 24 hours.
            endpointConfigurator.UseDelayedRedelivery(redelivery =>
            {
                redelivery.Handle<ArchiveDeferredException>();
                redelivery.Intervals(Enumerable.Range(0, 30).Select(_ => TimeSpan.FromHours(1)).ToArray());
            });
        }

        endpointConfigurator.UseMessageRetry(retry =>
        {
            // The downloader already retried; what is left is storage or broker trouble.
            retry.Ignore<ArchiveDeferredException>();
            retry.Exponential(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(500));
        });
    }
}
