using HeadShotEvents.Archiving;
using MassTransit;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Archiver.Hosting;

public static class ArchiverHosting
{
    /// <summary>The archiver as its own process: its consumer on the service's RabbitMQ, the guarded downloader, the store.</summary>
    public static IHostApplicationBuilder AddArchiver(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MessagingOptions>()
            .BindConfiguration(MessagingOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => IsAmqpUrl(o.RabbitMqUrl), "Messaging:RabbitMqUrl must be an amqp:// or amqps:// URL.")
            .ValidateOnStart();

        var messaging = builder.Configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions();
        // An invalid URL is reported by the options validation at start, with the setting's name.
        builder.AddArchiving(IsAmqpUrl(messaging.RabbitMqUrl) ? new Uri(messaging.RabbitMqUrl!) : null);

        var prefix = string.IsNullOrWhiteSpace(messaging.EntityPrefix) ? null : messaging.EntityPrefix.Trim();
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddArchiving();
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(prefix, includeNamespace: false));
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(new Uri(context.GetRequiredService<IOptions<MessagingOptions>>().Value.RabbitMqUrl!));
                if (prefix is not null)
                {
                    // The service's prefix: the exchanges it publishes to are named with it.
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

    private static bool IsAmqpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "amqp" or "amqps";
}
