using HeadShotEvents.Archiver.Hosting;
using HeadShotEvents.Archiving.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Archiver.Tests;

/// <summary>The embedded folder store, and settings that refuse to start rather than run wrong.</summary>
public sealed class StoreAndSettingsTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("archive-test-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task The_folder_store_overwrites_a_key_whole_and_reads_it_back()
    {
        var store = new FolderArchiveStore(_folder.FullName);
        var key = ObjectKeys.Image("headshots/", Guid.NewGuid(), 0, "png");

        var url = await store.PutAsync(key, [1, 2, 3], "image/png", "ab", CancellationToken.None);
        await store.PutAsync(key, [4, 5], "image/png", "cd", CancellationToken.None);

        Assert.Equal([4, 5], await store.GetAsync(key, CancellationToken.None));
        Assert.Equal(new Uri(Path.Combine(_folder.FullName, key)).AbsoluteUri, url);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(Path.Combine(_folder.FullName, key))!)); // no temporary left
        Assert.Null(await store.GetAsync("headshots/none/0.png", CancellationToken.None));
    }

    [Fact]
    public async Task The_folder_store_never_writes_outside_its_root()
    {
        var store = new FolderArchiveStore(Path.Combine(_folder.FullName, "root"));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("../escaped.png", [1], "image/png", "", CancellationToken.None));
        Assert.False(File.Exists(Path.Combine(_folder.FullName, "escaped.png")));
    }

    [Theory]
    [InlineData("Messaging:RabbitMqUrl", "", "Messaging:RabbitMqUrl is required")]
    [InlineData("Messaging:RabbitMqUrl", "http://rabbit:5672/", "amqp://")]
    [InlineData("Messaging:ClusterNodes:0", "rabbitmq-1:99999", "Messaging:ClusterNodes must each be host or host:port")]
    [InlineData("Messaging:ReplicationFactor", "3", "applies to quorum queues only")]
    [InlineData("Storage:Provider", "S3", "Storage:S3:Bucket is required")]
    [InlineData("Storage:Prefix", "../", "Storage:Prefix must be")]
    [InlineData("Storage:Prefix", "headshots/./", "Storage:Prefix must be")]
    [InlineData("Storage:Prefix", "headshots", "Storage:Prefix must be")]
    [InlineData("Downloads:MaxBytes", "0", "MaxBytes")]
    public async Task A_wrong_setting_stops_the_start_with_a_message_naming_it(string key, string value, string message)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = _folder.FullName });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // No broker there: a setting that wrongly passes must not declare anything on a real one.
            ["Messaging:RabbitMqUrl"] = "amqp://guest:guest@127.0.0.1:1/",
            [key] = value,
        });
        builder.AddArchiver();
        builder.Logging.ClearProviders();
        using var host = builder.Build();

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(limit.Token));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
