using HeadShotEvents.Contracts;
using MassTransit;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace HeadShotEvents.Service.Tests.Infrastructure;

/// <summary>
/// Deletes every queue and exchange a test's entity prefix can have named on the broker, once
/// everything that used the prefix has stopped (a running MassTransit endpoint would declare its
/// queue again). The names are those MassTransit gives the service's and the subscribers'
/// endpoints (queue, _error, _skipped, and an exchange of each name) and the message-type
/// exchanges of every contract and its faults; deleting a name that was never declared is a no-op.
/// Without this every run left ~190 durable queues and ~430 exchanges on the broker.
/// </summary>
public static class BrokerEntities
{
    /// <summary>The service's consumers and the test subscribers (<see cref="SubscriberService"/>).</summary>
    private static readonly string[] Endpoints = ["submit-head-shot", "submit-head-shot-fault", "archiver", "notifier"];

    private static readonly string[] MessageExchanges = MessageTypes().Select(ExchangeName).ToArray();

    public static IEnumerable<string> Queues(string prefix) =>
        Endpoints.SelectMany(e => new[] { $"{prefix}-{e}", $"{prefix}-{e}_error", $"{prefix}-{e}_skipped" });

    public static IEnumerable<string> Exchanges(string prefix) =>
        Queues(prefix).Concat(MessageExchanges.Select(name => $"{prefix}.{name}"));

    public static async Task DeleteAsync(string rabbitMqUrl, string prefix)
    {
        var factory = new ConnectionFactory { Uri = new Uri(rabbitMqUrl) };
        await using var connection = await factory.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        try
        {
            foreach (var (name, isQueue) in Queues(prefix).Select(q => (q, true)).Concat(Exchanges(prefix).Select(e => (e, false))))
            {
                try
                {
                    if (isQueue)
                    {
                        await channel.QueueDeleteAsync(name, ifUnused: false, ifEmpty: false);
                    }
                    else
                    {
                        await channel.ExchangeDeleteAsync(name, ifUnused: false);
                    }
                }
                catch (OperationInterruptedException)
                {
                    // A broker that answers "not found" closes the channel: take a new one, go on.
                    await channel.DisposeAsync();
                    channel = await connection.CreateChannelAsync();
                }
            }
        }
        finally
        {
            await channel.DisposeAsync();
        }
    }

    /// <summary>As MassTransit's RabbitMQ topology names a message type's exchange (before the prefix):
    /// <c>Namespace:Name</c>, generic arguments between <c>--</c>.</summary>
    private static string ExchangeName(Type type) => type.IsGenericType
        ? $"{type.Namespace}:{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}--{string.Join("::", type.GetGenericArguments().Select(ExchangeName))}--"
        : $"{type.Namespace}:{type.Name}";

    private static IEnumerable<Type> MessageTypes()
    {
        var contracts = typeof(HeadShotRequested).Assembly.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.Namespace == typeof(HeadShotRequested).Namespace)
            .ToList();
        yield return typeof(Fault); // every Fault<T> is published to the non-generic Fault exchange too
        foreach (var contract in contracts)
        {
            var fault = typeof(Fault<>).MakeGenericType(contract);
            yield return contract;
            yield return fault;
            yield return typeof(Fault<>).MakeGenericType(fault);
        }
    }
}
