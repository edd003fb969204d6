using MassTransit;

namespace HeadShotEvents.Service.Submitting;

/// <summary>
/// The fault usually comes from the same outage (database, broker) that failed the request: retry
/// it long enough to outlast a restart, so the publisher still hears an outcome.
/// </summary>
public sealed class SubmitHeadShotFaultConsumerDefinition : ConsumerDefinition<SubmitHeadShotFaultConsumer>
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<SubmitHeadShotFaultConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.UseMessageRetry(retry =>
            retry.Exponential(10, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(2)));
}
