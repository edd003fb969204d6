using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.ModelsLab;

public static class ModelsLabServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ModelsLabClient"/> with options from the <c>ModelsLab</c> section,
    /// validated at start (a missing API key stops the process instead of failing every call).
    /// Only roles that call ModelsLab register it: the receiver never holds the key.
    /// </summary>
    public static IHttpClientBuilder AddModelsLabClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ModelsLabOptions>()
            .Bind(configuration.GetSection(ModelsLabOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.BaseUrl.IsAbsoluteUri, "ModelsLab:BaseUrl must be an absolute URL.")
            .ValidateOnStart();

        services.AddMetrics();
        services.AddSingleton<ModelsLabMetrics>();
        return services.AddHttpClient<ModelsLabClient>((provider, http) =>
            http.Timeout = provider.GetRequiredService<IOptions<ModelsLabOptions>>().Value.Timeout);
    }
}
