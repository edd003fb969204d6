using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Submitting;
using HeadShotEvents.Service.Tests.Infrastructure;
using MassTransit;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace HeadShotEvents.Service.Tests.Migrations;

/// <summary>
/// Issue 10, item 3: requests already waiting on the submitter's queue when the service first starts
/// on a database that does not exist yet. None may reach a consumer before the job store is there.
/// </summary>
public sealed class QueuedRequestsTests
{
    [Fact]
    public async Task Requests_queued_before_the_database_exists_are_processed_after_migration_and_none_goes_to_error()
    {
        var rabbit = await TestInfrastructure.RabbitMqUrlAsync();
        var prefix = "t" + Guid.NewGuid().ToString("N")[..12];
        var queue = new KebabCaseEndpointNameFormatter(prefix, includeNamespace: false).Consumer<SubmitHeadShotConsumer>();
        await using var database = await JobStoreDatabase.NewAsync("Postgres");
        var subscriber = await SubscriberService.StartAsync(rabbit, prefix, "archiver");
        try
        {
            var requests = Enumerable.Range(0, 5).Select(_ => Pipeline.Request()).ToList();
            await SendBeforeTheServiceExistsAsync(rabbit, queue, requests);

            await using var service = await ServiceApplication.StartAsync(new()
            {
                EntityPrefix = prefix,
                Roles = "Submitter,Receiver",
                Settings = database.Settings,
                Simulator = new Dictionary<string, string?> { ["Simulator:QueueLimitPerKey"] = "1000" },
            });
            await subscriber.Received.WaitForTerminalAsync(requests.Select(r => r.RequestId).ToList(), Pipeline.Patience);

            Assert.Equal(requests.Select(r => r.RequestId).Order(), subscriber.Received.All<HeadShotCompleted>().Select(e => e.RequestId).Order());
            Assert.Empty(subscriber.Received.All<HeadShotFailed>());
            Assert.Equal(0u, await MessageCountAsync(rabbit, queue + "_error"));
            Assert.Equal(5, await service.JobCountAsync());
        }
        finally
        {
            // Everything under the prefix (the submitter's queues, the fault consumer's, the
            // subscriber's, the event exchanges), once nothing that would declare it again runs.
            await subscriber.DisposeAsync();
            await BrokerEntities.DeleteAsync(rabbit, prefix);
        }
    }

    /// <summary>As a publisher's bus would leave them: persistent messages on the submitter's durable queue, nobody consuming.</summary>
    private static async Task SendBeforeTheServiceExistsAsync(string rabbit, string queue, IEnumerable<HeadShotRequested> requests)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(new Uri(rabbit)));
        await bus.StartAsync();
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri($"queue:{queue}"));
            foreach (var request in requests)
            {
                await endpoint.Send(request);
            }
        }
        finally
        {
            await bus.StopAsync();
        }

        Assert.Equal(5u, await MessageCountAsync(rabbit, queue));
    }

    private static async Task<uint> MessageCountAsync(string rabbit, string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(rabbit) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (OperationInterruptedException)
        {
            return 0; // never declared: nothing was ever moved there
        }
    }
}
