using System.Data.Common;
using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Jobs.Migrations;
using HeadShotEvents.Service.Submitting;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// The submitter's retry policy for real (no hand-made Fault): a ModelsLab that refuses
/// connections and then opens, one that never opens, and a fault no retry cures.
/// </summary>
public sealed class SubmitterRetryTests
{
    /// <summary>The retry policy spaces its 6 retries over about 30 s.</summary>
    private static readonly TimeSpan Exhaustion = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_refused_connection_is_sent_again_once_ModelsLab_answers_and_generated_once()
    {
        var door = LoopbackPorts.Free(); // nothing listens there yet: every connection is refused
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Settings = new Dictionary<string, string?> { ["ModelsLab:BaseUrl"] = $"http://127.0.0.1:{door}/api/v6/" },
        });
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await Eventually.UntilAsync(() => pipeline.Service.JobAsync(request.RequestId), j => j is not null, Pipeline.Patience, "the job row");
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // a window of refused attempts (retries at about 0.2 s and 0.7 s)
        Assert.Equal(0, (await pipeline.Service.Simulator.GetStatsAsync()).HeadShotCalls);
        Assert.False(pipeline.Archiver.Received.HasTerminal(request.RequestId));

        var simulator = pipeline.Service.Simulator.ApiBaseAddress;
        await using var opened = new TcpRelay(simulator.Host, simulator.Port, door);
        await pipeline.WaitForTerminalAsync(request.RequestId);

        var completed = Assert.Single(pipeline.Archiver.Received.All<HeadShotCompleted>());
        Assert.Equal(request.RequestId, completed.RequestId);
        var stats = await pipeline.Service.Simulator.GetStatsAsync();
        Assert.Equal(1, stats.HeadShotCalls);
        Assert.Equal(1, stats.JobsCreated);
    }

    [Fact]
    public async Task A_ModelsLab_that_stays_unreachable_fails_the_request_as_ModelsLabUnavailable_on_the_last_attempt()
    {
        var closed = LoopbackPorts.Free();
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            Settings = new Dictionary<string, string?> { ["ModelsLab:BaseUrl"] = $"http://127.0.0.1:{closed}/api/v6/" },
        });
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await pipeline.Archiver.Received.WaitForTerminalAsync([request.RequestId], Exhaustion);
        await pipeline.SettleAsync();

        var failed = Assert.Single(pipeline.Archiver.Received.All<HeadShotFailed>(), f => f.RequestId == request.RequestId);
        Assert.Equal(HeadShotFailureReason.ModelsLabUnavailable, failed.Reason);
        Assert.Contains("could not be reached", failed.Message);
        Assert.Equal(JobState.Failed, (await pipeline.Service.JobAsync(request.RequestId))!.State);
        // Failed by the last attempt itself, not thrown into _error for the fault consumer.
        Assert.Equal(0u, await ErrorQueueDepthAsync(pipeline));
        Assert.Equal(0, (await pipeline.Service.Simulator.GetStatsAsync()).HeadShotCalls);
    }

    [Fact]
    public async Task A_request_that_faults_on_every_retry_lands_in_the_error_queue_and_fails_as_ServiceError()
    {
        var broken = new BrokenCapacityCheck();
        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            // A fault no retry cures, before anything is sent: the check of ModelsLab's queue (a
            // COUNT over the job store) throws on every attempt.
            ConfigureServices = services => services.ConfigureDbContext<PostgresJobsDbContext>(db => db.AddInterceptors(broken)),
        });
        var request = Pipeline.Request();

        await pipeline.PublishAsync(request);
        await pipeline.Archiver.Received.WaitForTerminalAsync([request.RequestId], Exhaustion);
        await pipeline.Notifier.Received.WaitForTerminalAsync([request.RequestId], Exhaustion);

        var failed = Assert.Single(pipeline.Archiver.Received.All<HeadShotFailed>());
        Assert.Equal(HeadShotFailureReason.ServiceError, failed.Reason);
        Assert.Contains("_error", failed.Message);
        Assert.Equal(SubmitHeadShotConsumerDefinition.RetryLimit + 1, broken.Calls); // the first attempt and every retry
        // MassTransit publishes the Fault and moves the message to _error side by side.
        await Eventually.UntilAsync(() => ErrorQueueDepthAsync(pipeline), depth => depth >= 1, Pipeline.Patience, "the request in the _error queue");
        Assert.Equal(1u, await ErrorQueueDepthAsync(pipeline));
        Assert.Equal(0, (await pipeline.Service.Simulator.GetStatsAsync()).HeadShotCalls);
    }

    private static async Task<uint> ErrorQueueDepthAsync(Pipeline pipeline)
    {
        var factory = new ConnectionFactory { Uri = new Uri(await TestInfrastructure.RabbitMqUrlAsync()) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync($"{pipeline.Service.EntityPrefix}-submit-head-shot_error")).MessageCount;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return 0; // never declared: nothing was ever moved there
        }
    }

    private sealed class BrokenCapacityCheck : DbCommandInterceptor
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("count(", StringComparison.OrdinalIgnoreCase))
            {
                Interlocked.Increment(ref _calls);
                throw new InvalidOperationException("the job store is broken");
            }

            return ValueTask.FromResult(result);
        }
    }
}
