using HeadShotEvents.Archiving;
using HeadShotEvents.Service.Hosting;
using HeadShotEvents.Service.Submitting;
using MassTransit;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Messaging;

public static class MessagingExtensions
{
    /// <summary>
    /// MassTransit on RabbitMQ (when <c>Messaging:RabbitMqUrl</c> is set: one node or a cluster,
    /// classic or quorum queues) or in memory. Every published event goes to its type's exchange;
    /// each consumer type gets its own queue bound to it, so every subscriber receives its own copy (fan-out).
    /// </summary>
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder, ServiceRoles roles,
        Action<IBusRegistrationConfigurator>? addConsumers = null)
    {
        builder.Services.AddOptions<MessagingOptions>()
            .BindConfiguration(MessagingOptions.Section)
            .ValidateDataAnnotations()
            .ValidateBroker()
            .ValidateOnStart();
        var options = builder.Configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions();
        var prefix = string.IsNullOrWhiteSpace(options.EntityPrefix) ? null : options.EntityPrefix.Trim();

        builder.Services.AddMassTransit(bus =>
        {
            // MassTransit 8.4+ reports bus and endpoint shapes to usage-tracking.masstransit.io at start: nothing leaves without our say.
            bus.DisableUsageTelemetry();

            if (roles.HasFlag(ServiceRoles.Submitter))
            {
                bus.AddConsumer<SubmitHeadShotConsumer, SubmitHeadShotConsumerDefinition>();
                bus.AddConsumer<SubmitHeadShotFaultConsumer, SubmitHeadShotFaultConsumerDefinition>();
            }

            if (roles.HasFlag(ServiceRoles.Archiver))
            {
                bus.AddArchiving();
            }

            addConsumers?.Invoke(bus);
            bus.DeclareQueuesAs(options);
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(prefix, includeNamespace: false));

            if (string.IsNullOrWhiteSpace(options.RabbitMqUrl))
            {
                bus.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
                return;
            }

            bus.UsingRabbitMq((context, cfg) =>
            {
                // Through IOptions: a setting that cannot work fails here with its message, before any connection.
                cfg.ConfigureHost(context.GetRequiredService<IOptions<MessagingOptions>>().Value);
                if (prefix is not null)
                {
                    cfg.MessageTopology.SetEntityNameFormatter(new PrefixEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, prefix + "."));
                }

                cfg.ConfigureEndpoints(context);
            });
        });

        // Without it the first publish on a fresh broker can be lost before the bindings exist.
        builder.Services.Configure<MassTransitHostOptions>(host =>
        {
            host.WaitUntilStarted = true;
            host.StopTimeout = TimeSpan.FromSeconds(30);
        });

        return builder;
    }

    /// <summary>The broker's URL, or null on the in-memory transport.</summary>
    public static Uri? RabbitMqUrl(this IConfiguration configuration) =>
        configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>()?.RabbitMqUrl is { } url && !string.IsNullOrWhiteSpace(url)
            ? new Uri(url)
            : null;
}
