using HeadShotEvents.ServiceDefaults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Archiving.Storage;

public static class ArchiveStorage
{
    public static IHostApplicationBuilder AddArchiveStore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IArchiveStore>(services =>
        {
            var options = services.GetRequiredService<IOptions<StorageOptions>>().Value;
            return options.Provider switch
            {
                StorageProvider.S3 => new S3ArchiveStore(S3ArchiveStore.CreateClient(options.S3), options.S3.Bucket!),
                _ => new FolderArchiveStore(Path.Combine(services.GetRequiredService<IHostEnvironment>().ContentRootPath, options.Folder.Path)),
            };
        });
        builder.Services.AddHealthChecks().AddCheck<ArchiveStoreHealthCheck>("archive-store", tags: [ServiceDefaultsExtensions.ReadyTag]);
        return builder;
    }
}

/// <summary>Ready only when the bucket (or folder) answers, so a health check shows an archiver that cannot store.</summary>
internal sealed class ArchiveStoreHealthCheck(IArchiveStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.CheckAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("The archive store does not answer.", ex);
        }
    }
}
