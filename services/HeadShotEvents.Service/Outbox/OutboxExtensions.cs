using HeadShotEvents.Service.Hosting;

namespace HeadShotEvents.Service.Outbox;

public static class OutboxExtensions
{
    /// <summary>
    /// The dispatcher runs in every process that can settle a job (submitter, receiver, reconciler):
    /// each publishes what it settled at once, and sweeps up what another left behind.
    /// </summary>
    public static IHostApplicationBuilder AddOutbox(this IHostApplicationBuilder builder, ServiceRoles roles)
    {
        builder.Services.AddSingleton<OwedEvents>();
        builder.Services.AddScoped<OwedEventStore>();
        builder.Services.AddOptions<OutboxOptions>()
            .BindConfiguration(OutboxOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        if ((roles & (ServiceRoles.Submitter | ServiceRoles.Receiver | ServiceRoles.Reconciler)) != 0)
        {
            // Registered after the bus (AddMessaging), and hosted services start in order.
            builder.Services.AddHostedService<EventDispatcher>();
        }

        return builder;
    }
}
