using System.Text;
using HeadShotEvents.Service.Hosting;
using HeadShotEvents.Service.Messaging;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// <c>Messaging:QueueType</c>: every queue the service declares is a quorum queue when asked (a
/// single node holds a quorum queue too, with one member), and settings that cannot work refuse the start.
/// </summary>
public sealed class QueueTypeTests
{
    [Fact]
    public async Task With_quorum_queues_the_submit_queue_and_its_error_and_skipped_queues_are_all_quorum()
    {
        var prefix = "q" + Guid.NewGuid().ToString("N")[..12];
        var rabbit = await TestInfrastructure.RabbitMqUrlAsync();
        try
        {
            await using (var service = await ServiceApplication.StartAsync(new ServiceApplication.Options
            {
                Roles = "Submitter",
                EntityPrefix = prefix,
                Settings = new Dictionary<string, string?> { ["Messaging:QueueType"] = "Quorum" },
            }))
            {
                var factory = new ConnectionFactory { Uri = new Uri(rabbit) };
                await using var connection = await factory.CreateConnectionAsync();
                var queue = $"{prefix}-submit-head-shot";

                // A body MassTransit cannot read goes to _error; an envelope of a type nobody here consumes to _skipped.
                await using (var channel = await connection.CreateChannelAsync())
                {
                    var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json", Persistent = true };
                    await channel.BasicPublishAsync("", queue, mandatory: true, properties, Encoding.UTF8.GetBytes("{ not json"));
                    var unknown = """{"messageId":"ID","messageType":["urn:message:Nobody.Consumes:This"],"message":{}}""".Replace("ID", Guid.NewGuid().ToString(), StringComparison.Ordinal);
                    await channel.BasicPublishAsync("", queue, mandatory: true, properties, Encoding.UTF8.GetBytes(unknown));
                }

                foreach (var name in new[] { queue, $"{prefix}-submit-head-shot-fault", queue + "_error", queue + "_skipped" })
                {
                    await Eventually.UntilAsync(() => DepthAsync(connection, name), depth => depth is not null, Pipeline.Patience, $"queue {name} declared");
                    Assert.True(await IsQuorumAsync(connection, name), $"{name} is not a quorum queue");
                }

                // The moves completed (the queue can exist a moment before the message is in it), and nothing else went there.
                await Eventually.UntilAsync(() => DepthAsync(connection, queue + "_error"), depth => depth == 1, Pipeline.Patience, "the unreadable body in _error");
                await Eventually.UntilAsync(() => DepthAsync(connection, queue + "_skipped"), depth => depth == 1, Pipeline.Patience, "the unknown type in _skipped");
            }
        }
        finally
        {
            await BrokerEntities.DeleteAsync(rabbit, prefix);
        }
    }

    [Fact]
    public async Task With_the_default_the_submit_queue_is_classic()
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { Roles = "Submitter" });
        var factory = new ConnectionFactory { Uri = new Uri(await TestInfrastructure.RabbitMqUrlAsync()) };
        await using var connection = await factory.CreateConnectionAsync();

        Assert.False(await IsQuorumAsync(connection, $"{service.EntityPrefix}-submit-head-shot"));
    }

    [Theory]
    [InlineData("Messaging:QueueType", "Quorum", "", "Quorum needs RabbitMQ")]
    [InlineData("Messaging:ReplicationFactor", "3", "amqp://guest:guest@127.0.0.1:1/", "applies to quorum queues only")]
    [InlineData("Messaging:ClusterNodes:0", "rabbitmq-1:99999", "amqp://guest:guest@127.0.0.1:1/", "host or host:port")]
    [InlineData("Messaging:ClusterNodes:0", "rabbitmq-1:5672", "", "needs Messaging:RabbitMqUrl")]
    [InlineData("Messaging:RabbitMqUrl", "http://rabbit:5672/", null, "amqp://")]
    public async Task A_messaging_setting_that_cannot_work_stops_the_start_with_a_message_naming_it(string key, string value, string? url, string message)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var settings = new Dictionary<string, string?> { [key] = value };
        if (url is not null)
        {
            // No broker there: a setting that wrongly passes must not declare anything on a real one.
            settings["Messaging:RabbitMqUrl"] = url;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.AddMessaging(ServiceRoles.Api);
        using var host = builder.Build();

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(limit.Token));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replication_factor_of_zero_is_refused()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:RabbitMqUrl"] = "amqp://guest:guest@127.0.0.1:1/",
            ["Messaging:QueueType"] = "Quorum",
            ["Messaging:ReplicationFactor"] = "0",
        });
        builder.Logging.ClearProviders();
        builder.AddMessaging(ServiceRoles.Api);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Messaging:ReplicationFactor must be between 1 and 15", error.Message, StringComparison.Ordinal);
    }

    private static async Task<uint?> DepthAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// RabbitMQ answers a declaration whose x-queue-type differs from the queue's with 406
    /// PRECONDITION_FAILED, so declaring it again as quorum succeeds only on a quorum queue.
    /// </summary>
    private static async Task<bool> IsQuorumAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
                new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
            return true;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 406)
        {
            return false;
        }
    }
}
