using RabbitMQ.Client;
using Testcontainers.RabbitMq;

namespace HeadShotEvents.Archiver.Tests.Infrastructure;

/// <summary>
/// The real RabbitMQ: from <c>RABBITMQ_URL</c> when set, else Testcontainers when a Docker engine
/// answers, else a failure that says how to provide one. Never a silent skip.
/// </summary>
public static class Broker
{
    public const string Variable = "RABBITMQ_URL";

    private static readonly Lazy<Task<string>> Url = new(StartAsync);

    public static Task<string> UrlAsync() => Url.Value;

    private static async Task<string> StartAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } url)
        {
            return url;
        }

        try
        {
            var container = new RabbitMqBuilder("rabbitmq:3.13-management-alpine").Build();
            await container.StartAsync();
            return container.GetConnectionString();
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException(
                $"These tests need a real RabbitMQ. Set {Variable} (e.g. amqp://guest:guest@127.0.0.1:5672/) " +
                $"or start a Docker engine so Testcontainers can run one. Testcontainers said: {ex.Message}", ex);
        }
    }

    /// <summary>How many messages wait in the queue <paramref name="name"/> (0 when it does not exist).</summary>
    public static async Task<uint> MessageCountAsync(string name)
    {
        var factory = new ConnectionFactory { Uri = new Uri(await UrlAsync()) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(name)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Deletes the queues and exchanges a test declared under <paramref name="prefix"/> (names absent
    /// are fine). Tries every one, then reports those it could not delete.
    /// </summary>
    public static async Task DeleteAsync(string prefix, IEnumerable<string> queues, IEnumerable<string> exchanges)
    {
        var factory = new ConnectionFactory { Uri = new Uri(await UrlAsync()) };
        await using var connection = await factory.CreateConnectionAsync();
        var failures = new List<string>();
        foreach (var (name, isQueue) in queues.Select(q => (q, true)).Concat(exchanges.Select(e => (e, false))))
        {
            try
            {
                await using var channel = await connection.CreateChannelAsync();
                if (isQueue)
                {
                    await channel.QueueDeleteAsync($"{prefix}{name}", ifUnused: false, ifEmpty: false);
                }
                else
                {
                    await channel.ExchangeDeleteAsync($"{prefix}{name}", ifUnused: false);
                }
            }
            catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.OperationInterruptedException or IOException)
            {
                failures.Add($"{prefix}{name}: {ex.Message}");
            }
        }

        if (failures.Count > 0)
        {
            throw new InvalidOperationException("Could not delete: " + string.Join("; ", failures));
        }
    }
}
