using MassTransit;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Submitting;

/// <summary>
/// Retries with backoff; what still fails after the last retry goes to the <c>_error</c> queue
/// with its exception.
/// </summary>
public sealed class SubmitHeadShotConsumerDefinition : ConsumerDefinition<SubmitHeadShotConsumer>
{
    /// <summary>Retries after the first attempt before the request fails as ModelsLabUnavailable.</summary>
    public const int RetryLimit = 6;

    public SubmitHeadShotConsumerDefinition(IOptions<SubmitterOptions> options)
    {
        ConcurrentMessageLimit = options.Value.ConcurrentMessageLimit;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<SubmitHeadShotConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        // Every exception is retried: a redelivery never re-sends a request ModelsLab may have
        // (the job row's state guards that), and it publishes an event an earlier attempt still owes.
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Exponential(RetryLimit, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500));
        });
    }
}
