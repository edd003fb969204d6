using HeadShotEvents.Benchmarks.Sections;

namespace HeadShotEvents.Benchmarks.Reporting;

/// <summary>Everything one run measured; a section not run is null.</summary>
public sealed record BenchmarkReport(
    MachineInfo Machine,
    bool Small,
    BrokerResult? Broker,
    IngestResult? Ingest,
    EndToEndResult? EndToEnd,
    ScaleResult? Scale,
    ClaimResult? Claim)
{
    /// <summary>Correctness failures: the figures of a run with any of these are not to be trusted.</summary>
    public IEnumerable<string> Problems =>
        (Ingest?.Problems ?? []).Concat(EndToEnd?.Problems ?? []).Concat(Scale?.Problems ?? []);

    /// <summary>Each figure against its baseline, with the target issue 9 sets (null: no target).</summary>
    public IEnumerable<Ratio> Ratios()
    {
        if (Ingest is not null && Broker is not null)
        {
            yield return new Ratio("callback ingest / broker throughput", Ingest.CompletionsPerSecond / Broker.PerSecond, ">= 0.75");
            yield return new Ratio("ingest p99 / broker confirm p99", Ingest.Http.Latency.P99Ms / Broker.Confirm.P99Ms, "<= 3");
            if (Ingest.Cpu.TotalMs > 0)
            {
                // When the run saturates the machine's cores, throughput is cores / CPU per event: this is
                // the ingest/broker ratio the CPU each event costs allows, whatever the scheduling.
                yield return new Ratio("broker CPU per message / ingest CPU per callback (the ratio CPU allows)", Broker.Cpu.TotalMs / Ingest.Cpu.TotalMs, null);
            }
        }

        if (EndToEnd is not null && Broker is not null)
        {
            yield return new Ratio("end-to-end p99 / broker confirm p99", EndToEnd.Latency.P99Ms / Broker.Confirm.P99Ms, null);
        }

        if (EndToEnd is not null)
        {
            yield return new Ratio("end-to-end p99 / 50 ms", EndToEnd.Latency.P99Ms / 50, "<= 1");
            if (EndToEnd.Cpu.TotalMs > 0)
            {
                yield return new Ratio($"end-to-end requests/s the CPU per request allows on {Machine.Cores} cores / offered rate",
                    Machine.Cores * 1000 / EndToEnd.Cpu.TotalMs / EndToEnd.OfferedPerSecond, ">= 1 for a steady state");
            }
        }

        if (Scale is not null)
        {
            yield return new Ratio($"webhook p99, {Scale.Large.Rows:N0} / {Scale.Small.Rows:N0} unsettled", Scale.Large.Http.Latency.P99Ms / Scale.Small.Http.Latency.P99Ms, "<= 1.5");
            yield return new Ratio($"service memory (RSS), {Scale.Large.Rows:N0} / {Scale.Small.Rows:N0} unsettled", Scale.Large.MemoryAfter.ResidentMiB / Scale.Small.MemoryAfter.ResidentMiB, "<= 1.5");
        }

        if (Claim is not null)
        {
            yield return new Ratio($"reconciler claim, {Claim.Settled:N0} settled + {Claim.NotYetDue:N0} not due / only due", Claim.Ratio, "~ 1");
        }
    }
}

public sealed record Ratio(string Name, double Value, string? Target);
