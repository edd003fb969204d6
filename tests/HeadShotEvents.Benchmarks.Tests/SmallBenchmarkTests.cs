using System.Text.Json;
using HeadShotEvents.Benchmarks;
using HeadShotEvents.Benchmarks.Infrastructure;
using HeadShotEvents.Benchmarks.Reporting;
using HeadShotEvents.Service.Tests.Infrastructure;

namespace HeadShotEvents.Benchmarks.Tests;

/// <summary>
/// The benchmark's small configuration, run in-process as CI runs every test: the same code paths
/// as the full run (the service as its own process, real HTTP, real RabbitMQ and PostgreSQL), with
/// a few hundred jobs. Figures are only checked to be figures; correctness is checked exactly.
/// </summary>
public sealed class SmallBenchmarkTests
{
    [Fact]
    public async Task Small_run_completes_every_job_with_exactly_one_event_per_subscriber_queue_and_writes_its_report()
    {
        var output = Path.Combine(Path.GetTempPath(), $"headshotevents-bench-{Guid.NewGuid():N}");
        // The claim section reads the job store directly and has its own tests (ReconcilerTests); the
        // sections here are the ones that only use the service's public seams and so can rot unseen.
        var settings = BenchmarkSettings.SmallFor(await TestInfrastructure.RabbitMqUrlAsync(), await TestInfrastructure.PostgresServerAsync()) with
        {
            OutputDirectory = output,
            Sections = new HashSet<string>(["ingest", "broker", "e2e", "scale"], StringComparer.OrdinalIgnoreCase),
        };
        try
        {
            var report = await BenchmarkRun.RunAsync(settings, _ => { });

            Assert.Empty(report.Problems);
            var ingest = report.Ingest!;
            Assert.Equal(settings.Jobs, ingest.Http.Ok);
            Assert.Equal(settings.Jobs, ingest.CompletedRows);
            Assert.All(ingest.Drained, queue =>
            {
                Assert.Equal(settings.Jobs, queue.Messages);
                Assert.Equal(settings.Jobs, queue.DistinctMessageIds);
            });
            // A HeadShotCompleted envelope: its JSON, MassTransit's headers and host block; not empty, not runaway.
            Assert.InRange(ingest.EnvelopeBytes, 300, 8_000);
            Assert.InRange(ingest.CompletionsPerSecond, 0.1, 1_000_000);
            Assert.InRange(ingest.Http.Latency.P99Ms, ingest.Http.Latency.P50Ms, 60_000);

            var broker = report.Broker!;
            Assert.Equal(ingest.EnvelopeBytes, broker.MessageBytes);
            Assert.All(broker.QueueCounts, count => Assert.Equal((uint)settings.BrokerMessages, count));
            Assert.InRange(broker.PerSecond, 1, 10_000_000);
            Assert.InRange(broker.Confirm.P99Ms, broker.Confirm.P50Ms, 60_000);

            var endToEnd = report.EndToEnd!;
            Assert.Equal((int)(settings.EndToEndRate * settings.EndToEndDuration.TotalSeconds), endToEnd.Requested);
            Assert.Equal(endToEnd.Requested, endToEnd.Completed);
            Assert.InRange(endToEnd.Latency.P99Ms, endToEnd.Latency.P50Ms, 120_000);
            // The last part of each request's latency (terminal write → consume) is measured for each, and is a part.
            Assert.Equal(endToEnd.Completed, endToEnd.AfterSettling.Count);
            Assert.InRange(endToEnd.AfterSettling.P50Ms, -1_000, endToEnd.Latency.MaxMs + 1_000); // two clocks of one machine

            var scale = report.Scale!;
            Assert.Equal(settings.ScaleSmallRows, scale.Small.Rows);
            Assert.Equal(settings.ScaleLargeRows, scale.Large.Rows);
            Assert.All(new[] { scale.Small, scale.Large }, point =>
            {
                Assert.Equal(settings.ScaleCallbacks, point.Http.Ok);
                Assert.InRange(point.MemoryAfter.ResidentMiB, 10, 16_384);
            });

            // CPU per event: the service process is always measured (its /proc entry), and no event costs a second.
            Assert.InRange(ingest.Cpu.ServiceMs, 0.001, 1_000);
            Assert.InRange(ingest.Cpu.TotalMs, ingest.Cpu.ServiceMs, 1_000);
            Assert.InRange(endToEnd.Cpu.ServiceMs, 0.001, 1_000);
            Assert.InRange(broker.Cpu.LoadGeneratorMs, 0.001, 1_000);
            Assert.Equal(0, broker.Cpu.ServiceMs); // no service in the broker's own run

            // The service's JIT is watched: its first round compiled methods, and the measured window was watched too.
            Assert.All(new[] { ingest.WarmUp, endToEnd.WarmUp }, warmUp =>
            {
                Assert.InRange(warmUp.LastRound!.Methods, 1, 10_000_000);
                Assert.True(warmUp.LastRound.CoreShare > 0);
                Assert.NotNull(warmUp.Measured);
            });

            Assert.Equal(8, report.Ratios().Count());
            var markdown = await File.ReadAllTextAsync(Path.Combine(output, "benchmarks.md"));
            Assert.Contains("callback ingest / broker throughput", markdown, StringComparison.Ordinal);
            Assert.Contains($"{report.Machine.Cores} cores", markdown, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "benchmarks.json")));
            Assert.Equal(settings.Jobs, json.RootElement.GetProperty("ingest").GetProperty("completedRows").GetInt64());
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }
}
