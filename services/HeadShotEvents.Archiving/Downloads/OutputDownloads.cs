using Microsoft.Extensions.Options;

namespace HeadShotEvents.Archiving.Downloads;

public static class OutputDownloads
{
    public const string ClientName = "archive-downloads";

    /// <summary>
    /// The download client: no proxy (a proxy would connect on our behalf, past the address check),
    /// no automatic redirects (each is checked), no decompression (the size cap counts wire bytes
    /// that are the image itself), and connections opened only by <see cref="GuardedConnector"/>.
    /// </summary>
    public static IHostApplicationBuilder AddOutputDownloads(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DownloadOptions>()
            .BindConfiguration(DownloadOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<HostResolver>();
        builder.Services.AddHttpClient(ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(services =>
            {
                var options = services.GetRequiredService<IOptions<DownloadOptions>>().Value;
                var connector = new GuardedConnector(services.GetRequiredService<HostResolver>(), options.AllowInternalAddresses);
                return new SocketsHttpHandler
                {
                    UseProxy = false,
                    AllowAutoRedirect = false,
                    AutomaticDecompression = System.Net.DecompressionMethods.None,
                    UseCookies = false,
                    ConnectTimeout = options.Timeout,
                    ConnectCallback = connector.ConnectAsync,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(1),
                };
            });
        builder.Services.AddSingleton<OutputDownloader>();
        return builder;
    }
}
