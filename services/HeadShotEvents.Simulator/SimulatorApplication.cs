using HeadShotEvents.Simulator.Admin;
using HeadShotEvents.Simulator.Fetching;
using HeadShotEvents.Simulator.Jobs;
using HeadShotEvents.Simulator.Outputs;
using HeadShotEvents.Simulator.Submitting;
using HeadShotEvents.Simulator.Webhooks;
using HeadShotEvents.Simulator.Wire;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Simulator;

/// <summary>
/// The two calls that host the simulator: in its own process (Program.cs), in-process in tests,
/// or inside the HeadShotEvents service for its zero-configuration embedded mode.
/// </summary>
public static class SimulatorApplication
{
    /// <summary>
    /// Registers the simulator: options from section "Simulator" (validated at start), the job
    /// registry, the fault settings and the webhook deliverer (a hosted service).
    /// </summary>
    public static IServiceCollection AddModelsLabSimulator(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SimulatorOptions>()
            .Bind(configuration.GetSection(SimulatorOptions.SectionName))
            .PostConfigure(options =>
            {
                if (options.ApiKeys.Count == 0)
                    options.ApiKeys.Add(SimulatorOptions.DefaultApiKey);
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SimulatorOptions>, SimulatorOptionsValidation>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<FaultSettings>();
        services.TryAddSingleton<SimulatorStats>();
        services.TryAddSingleton<ApiKeyCheck>();
        services.TryAddSingleton<JobRegistry>();

        services.AddHttpClient(WebhookDeliverer.HttpClientName, (provider, client) =>
        {
            client.Timeout = provider.GetRequiredService<IOptions<SimulatorOptions>>().Value.WebhookTimeout;
            client.DefaultRequestHeaders.UserAgent.ParseAdd("HeadShotEvents.Simulator");
        });
        services.TryAddSingleton<WebhookDeliverer>();
        services.AddHostedService(provider => provider.GetRequiredService<WebhookDeliverer>());
        return services;
    }

    /// <summary>
    /// Maps ModelsLab's head_shot and fetch endpoints at their real paths, the output images,
    /// and the admin endpoints under <c>/simulator</c>; <paramref name="protectAdmin"/> lets a host
    /// that shares its port with other endpoints put the admin API behind its own access rule.
    /// </summary>
    public static IEndpointRouteBuilder MapModelsLabSimulator(this IEndpointRouteBuilder endpoints, Action<IEndpointConventionBuilder>? protectAdmin = null)
    {
        endpoints.MapHeadShotApi();
        endpoints.MapFetchApi();
        endpoints.MapOutputsApi();
        var admin = endpoints.MapAdminApi();
        protectAdmin?.Invoke(admin);
        return endpoints;
    }

    private sealed class SimulatorOptionsValidation : IValidateOptions<SimulatorOptions>
    {
        public ValidateOptionsResult Validate(string? name, SimulatorOptions options)
        {
            var errors = options.Validate().ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
