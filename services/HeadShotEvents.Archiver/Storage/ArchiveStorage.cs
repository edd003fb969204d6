using Microsoft.Extensions.Options;

namespace HeadShotEvents.Archiver.Storage;

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
        return builder;
    }
}
