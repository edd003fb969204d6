using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace HeadShotEvents.ServiceDefaults;

/// <summary>Telemetry and health, the same in every role (eShop's ServiceDefaults pattern).</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>The tag of checks that must pass before the process takes work (broker, database).</summary>
    public const string ReadyTag = "ready";

    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    /// <summary>
    /// OpenTelemetry logs, metrics and traces for ASP.NET Core, HttpClient, MassTransit and the given
    /// sources; OTLP export when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder, string serviceName, params string[] telemetrySources)
    {
        // HttpClient's own logs print whole URLs, and a webhook URL's last segment is a secret token.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        // So do the request log (Hosting.Diagnostics) and the route matcher's debug log, for inbound webhooks.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Routing.Matching", LogLevel.Warning);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            // Scopes would export the hosting scope's RequestPath, which for a webhook holds its token.
            logging.IncludeScopes = false;
        });

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(telemetrySources))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource("MassTransit")
                .AddSource(telemetrySources)
                .AddAspNetCoreInstrumentation(o =>
                {
                    o.Filter = context => !context.Request.Path.StartsWithSegments("/health");
                    o.EnrichWithHttpRequest = (activity, request) => SecretPaths.Redact(activity, "url.path", request.Path.Value);
                })
                .AddHttpClientInstrumentation(o =>
                    o.EnrichWithHttpRequestMessage = (activity, request) => SecretPaths.Redact(activity, "url.full", request.RequestUri?.AbsoluteUri)));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);

        return builder;
    }

    /// <summary><c>/health/live</c>: the process answers. <c>/health/ready</c>: its broker and database answer too.</summary>
    public static IEndpointRouteBuilder MapDefaultEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") });
        endpoints.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) || check.Tags.Contains("live") });
        return endpoints;
    }
}
