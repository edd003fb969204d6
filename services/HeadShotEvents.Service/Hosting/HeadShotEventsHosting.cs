using HeadShotEvents.Archiving;
using HeadShotEvents.ModelsLab;
using HeadShotEvents.Service.Callbacks;
using HeadShotEvents.Service.JobLog;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Messaging;
using HeadShotEvents.Service.Operations.Page;
using HeadShotEvents.Service.Outbox;
using HeadShotEvents.Service.Outcomes;
using HeadShotEvents.Service.Reconciling;
using HeadShotEvents.Service.Security;
using HeadShotEvents.Service.Status;
using HeadShotEvents.Service.Submitting;
using HeadShotEvents.Service.Telemetry;
using HeadShotEvents.Service.Timeline;
using HeadShotEvents.Simulator;
using MassTransit;

namespace HeadShotEvents.Service.Hosting;

public static class HeadShotEventsHosting
{
    public const string RolesKey = "Roles";

    public static ServiceRoles Roles(this IConfiguration configuration) =>
        Enum.TryParse<ServiceRoles>(configuration[RolesKey] ?? nameof(ServiceRoles.All), ignoreCase: true, out var roles) && roles != ServiceRoles.None
            ? roles
            : throw new InvalidOperationException($"Roles '{configuration[RolesKey]}' is not a list of {string.Join(", ", Enum.GetNames<ServiceRoles>())}.");

    /// <summary>
    /// What traces and metrics call this process: <c>OTEL_SERVICE_NAME</c>, else one name per role
    /// set (<c>headshotevents-submitter</c>, <c>headshotevents-receiver-api</c>, ...).
    /// </summary>
    public static string ServiceName(this IConfiguration configuration) =>
        configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name
            ? name
            : "headshotevents-" + (configuration.Roles() == ServiceRoles.All
                ? "all"
                : configuration.Roles().ToString().ToLowerInvariant().Replace(", ", "-", StringComparison.Ordinal));

    /// <summary>The ActivitySources and Meters of the service's own code.</summary>
    public static readonly string[] TelemetrySources = [HeadShotTelemetry.SourceName, ModelsLabMetrics.MeterName, ArchiverTelemetry.SourceName];

    /// <summary>Registers what the configured roles need, and nothing a role should not hold.</summary>
    public static IHostApplicationBuilder AddHeadShotEvents(this IHostApplicationBuilder builder,
        Action<IBusRegistrationConfigurator>? addConsumers = null)
    {
        var roles = builder.Configuration.Roles();
        builder.AddJobStore();
        builder.AddTimeline();
        builder.AddMessaging(roles, addConsumers);
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.AddScoped<JobOutcomes>();
        builder.AddOutbox(roles);
        builder.Services.AddSingleton<HeadShotMetrics>();
        builder.Services.AddSingleton<IHttpContextFactory, UntrustedTraceHeaders>();

        builder.Services.AddOptions<WebhookOptions>()
            .BindConfiguration(WebhookOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.PublicBaseUrl.IsAbsoluteUri, "Webhooks:PublicBaseUrl must be an absolute URL that ModelsLab can reach.")
            .ValidateOnStart();
        builder.Services.AddSingleton<WebhookTokens>();
        builder.Services.AddPublicEndpointRateLimiting();
        builder.Services.AddOptions<ApiAccessOptions>()
            .BindConfiguration(ApiAccessOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddOptions<SubmitterOptions>()
            .BindConfiguration(SubmitterOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<ReconcilerOptions>()
            .BindConfiguration(ReconcilerOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        if (roles.HasFlag(ServiceRoles.Submitter) || roles.HasFlag(ServiceRoles.Reconciler))
        {
            builder.Services.AddModelsLabClient(builder.Configuration);
        }

        if (roles.HasFlag(ServiceRoles.Submitter))
        {
            builder.Services.AddSingleton<SubmitGate>();
            builder.Services.AddScoped<ModelsLabQueue>();
            builder.Services.AddScoped<SubmissionRecords>();
        }

        if (roles.HasFlag(ServiceRoles.Reconciler))
        {
            builder.Services.AddHostedService<Reconciler>();
        }

        if (roles.HasFlag(ServiceRoles.Receiver))
        {
            builder.Services.AddScoped<CallbackProcessor>();
        }

        if (roles.HasFlag(ServiceRoles.Api))
        {
            builder.Services.AddScoped<JobLogReader>();
            builder.AddOpsPage();
            builder.Services.AddScoped<JobReplay>();
        }

        if (roles.HasFlag(ServiceRoles.Simulator))
        {
            builder.Services.AddModelsLabSimulator(builder.Configuration);
        }

        if (roles.HasFlag(ServiceRoles.Archiver))
        {
            // Its consumer joins this bus in AddMessaging; parked messages wait on this bus's broker.
            builder.AddArchiving(builder.Configuration.RabbitMqUrl());
        }

        return builder;
    }

    public static WebApplication MapHeadShotEvents(this WebApplication app)
    {
        var roles = app.Configuration.Roles();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRateLimiter();
        app.UseInternalApiGate();
        app.MapOpenApi().RequireInternalCaller();

        if (roles.HasFlag(ServiceRoles.Receiver))
        {
            app.MapModelsLabWebhooks();
        }

        if (roles.HasFlag(ServiceRoles.Api))
        {
            app.MapGroup("").RequireInternalCaller().MapHeadShots().MapJobLog().MapOpsPage();
        }

        if (roles.HasFlag(ServiceRoles.Simulator))
        {
            // Its admin API changes how the stand-in behaves: internal, like /headshots.
            app.MapModelsLabSimulator(admin => admin.RequireInternalCaller());
        }

        return app;
    }
}
