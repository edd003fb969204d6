using System.Net;
using HeadShotEvents.Archiving.Downloads;
using HeadShotEvents.Archiver.Hosting;
using HeadShotEvents.Archiving.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HeadShotEvents.Archiver.Tests.Infrastructure;

/// <summary>
/// The archiver as its Program builds it (<see cref="ArchiverHosting.AddArchiver"/>), on a real
/// broker and a real S3 server, with quick backoffs and development download rules unless a test
/// says otherwise.
/// </summary>
public sealed class ArchiverApplication : IAsyncDisposable
{
    private readonly IHost _host;

    private ArchiverApplication(IHost host, string keyPrefix)
    {
        _host = host;
        KeyPrefix = keyPrefix;
    }

    /// <summary>The Storage:Prefix of this archiver: every key it writes starts with it.</summary>
    public string KeyPrefix { get; }

    public IServiceProvider Services => _host.Services;

    public static async Task<ArchiverApplication> StartAsync(
        string entityPrefix,
        IReadOnlyDictionary<string, string?>? overrides = null,
        IReadOnlyDictionary<string, IPAddress>? hostNames = null)
    {
        var rabbit = await Broker.UrlAsync();
        var s3 = await S3Server.OptionsAsync();
        var keyPrefix = $"{entityPrefix}/";
        var settings = new Dictionary<string, string?>
        {
            ["Messaging:RabbitMqUrl"] = rabbit,
            ["Messaging:EntityPrefix"] = entityPrefix,
            ["Downloads:DevelopmentHosts:0"] = "127.0.0.1",
            ["Downloads:AllowInternalAddresses"] = "true",
            ["Downloads:Timeout"] = "00:00:05",
            ["Archive:InitialBackoff"] = "00:00:00.100",
            ["Archive:MaxBackoff"] = "00:00:00.400",
            ["Archive:MaxHold"] = "00:00:30",
            ["Storage:Provider"] = "S3",
            ["Storage:Prefix"] = keyPrefix,
            ["Storage:S3:ServiceUrl"] = s3.ServiceUrl!.AbsoluteUri,
            ["Storage:S3:Bucket"] = s3.Bucket,
            ["Storage:S3:AccessKey"] = s3.AccessKey,
            ["Storage:S3:SecretKey"] = s3.SecretKey,
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddArchiver();
        if (hostNames is not null)
        {
            builder.Services.AddSingleton<HostResolver>(new MappedHostResolver(hostNames));
        }

        builder.Logging.ClearProviders();
        var host = builder.Build();
        await host.StartAsync();
        return new ArchiverApplication(host, keyPrefix);
    }

    public IArchiveStore Store => _host.Services.GetRequiredService<IArchiveStore>();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
