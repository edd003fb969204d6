using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using RabbitMQ.Client;

namespace HeadShotEvents.Benchmarks.Infrastructure;

/// <summary>RabbitMQ as a subscriber and an operator see it: queues bound to exchanges, counts, cleanup.</summary>
public sealed class Broker : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly Uri _url;

    private Broker(IConnection connection, Uri url)
    {
        _connection = connection;
        _url = url;
    }

    public IConnection Connection => _connection;

    public static async Task<Broker> ConnectAsync(string url)
    {
        var factory = new ConnectionFactory { Uri = new Uri(url), ClientProvidedName = "headshotevents-benchmark" };
        return new Broker(await factory.CreateConnectionAsync(), new Uri(url));
    }

    /// <summary>The exchange MassTransit publishes a contract type to, under the service's entity prefix.</summary>
    public static string EventExchange(string prefix, string contract) => $"{prefix}.HeadShotEvents.Contracts:{contract}";

    /// <summary>A durable queue bound to a fan-out exchange, declared as MassTransit declares its own exchanges.</summary>
    public async Task BindQueueAsync(string exchange, string queue)
    {
        await using var channel = await _connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(queue, exchange, "");
    }

    public async Task<uint> CountAsync(string queue)
    {
        await using var channel = await _connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    public async Task PurgeAsync(string queue)
    {
        await using var channel = await _connection.CreateChannelAsync();
        await channel.QueuePurgeAsync(queue);
    }

    /// <summary>Waits until every queue holds at least <paramref name="expected"/> messages, or the time is up.</summary>
    public async Task<uint[]> WaitForCountsAsync(IReadOnlyList<string> queues, uint expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var counts = new uint[queues.Count];
            for (var i = 0; i < queues.Count; i++)
            {
                counts[i] = await CountAsync(queues[i]);
            }

            if (counts.All(c => c >= expected) || DateTime.UtcNow > deadline)
            {
                return counts;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Takes every message off a queue: how many, how many distinct MessageIds, and their mean body size.</summary>
    public async Task<DrainedQueue> DrainAsync(string queue)
    {
        await using var channel = await _connection.CreateChannelAsync();
        var ids = new HashSet<string>();
        long total = 0, bytes = 0;
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
        {
            total++;
            bytes += message.Body.Length;
            ids.Add(message.BasicProperties.MessageId ?? "");
        }

        return new DrainedQueue(total, ids.Count, total == 0 ? 0 : (int)(bytes / total));
    }

    public async Task DeleteQueuesAsync(IEnumerable<string> queues) =>
        await EachAsync(queues, (channel, name) => channel.QueueDeleteAsync(name));

    public async Task DeleteExchangesAsync(IEnumerable<string> exchanges) =>
        await EachAsync(exchanges, (channel, name) => channel.ExchangeDeleteAsync(name));

    /// <summary>
    /// Everything whose name starts with the prefix, as the management API lists it (when the
    /// plugin is on): MassTransit's endpoint exchanges, error and fault entities, whatever the
    /// service declares. Without the plugin only the names the caller knows are deleted.
    /// </summary>
    public async Task DeleteEverythingPrefixedAsync(string prefix)
    {
        var management = new UriBuilder(_url) { Scheme = "http", Port = 15672, UserName = "", Password = "" }.Uri;
        var credentials = Uri.UnescapeDataString(_url.UserInfo);
        var vhost = Uri.EscapeDataString(_url.AbsolutePath.Trim('/') is { Length: > 0 } v ? Uri.UnescapeDataString(v) : "/");
        using var http = new HttpClient { BaseAddress = management, Timeout = TimeSpan.FromSeconds(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        try
        {
            await DeleteQueuesAsync(await NamesAsync(http, $"api/queues/{vhost}", prefix));
            await DeleteExchangesAsync(await NamesAsync(http, $"api/exchanges/{vhost}", prefix));
        }
        catch (HttpRequestException)
        {
            // No management plugin: the known names were deleted already.
        }
        catch (TaskCanceledException)
        {
        }
    }

    private static async Task<string[]> NamesAsync(HttpClient http, string path, string prefix)
    {
        var list = await http.GetFromJsonAsync<JsonArray>(path) ?? [];
        return list.Select(item => (string?)item?["name"]).OfType<string>().Where(name => name.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
    }

    private async Task EachAsync(IEnumerable<string> names, Func<IChannel, string, Task> delete)
    {
        foreach (var name in names)
        {
            // A failed delete closes its channel: one channel per name.
            try
            {
                await using var channel = await _connection.CreateChannelAsync();
                await delete(channel, name);
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
}

public sealed record DrainedQueue(long Messages, int DistinctMessageIds, int MeanBodyBytes);
