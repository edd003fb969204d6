using System.Globalization;
using System.Text;

namespace HeadShotEvents.Benchmarks.Reporting;

/// <summary>The run as the Markdown page README links to (and as the console prints it).</summary>
public static class MarkdownReport
{
    public static string Render(BenchmarkReport report)
    {
        var m = report.Machine;
        var text = new StringBuilder();
        Line(text, $"# Benchmarks");
        Line(text, $"");
        var small = report.Small ? " (small configuration: correctness only, figures not comparable)" : "";
        Line(text, $"Measured {m.Date:yyyy-MM-dd HH:mm} UTC{small} on {m.Cores} cores, {m.MemoryGiB} GiB, {m.OperatingSystem}, {m.Runtime}; RabbitMQ {m.RabbitMqVersion ?? "?"}, PostgreSQL {m.PostgresVersion ?? "?"}{(m.PostgresSettings is { } pg ? $" ({pg})" : "")}. Load average (1/5/15 min) {m.LoadAverageAtStart} at start, {m.LoadAverageAtEnd} at the end.");
        Line(text, $"");
        Line(text, $"| measured in one run | count | throughput | p50 | p99 | other |");
        Line(text, $"|---|---:|---:|---:|---:|---|");
        if (report.Broker is { } b)
        {
            Line(text, $"| RabbitMQ alone: persistent {b.MessageBytes}-byte publishes with confirms, {b.Publishers} publishers, fanned to 2 durable queues | {b.Messages} | {b.PerSecond:N0} msg/s | {b.Confirm.P50Ms:F1} ms | {b.Confirm.P99Ms:F1} ms | queues {string.Join(" / ", b.QueueCounts)}; {b.Cpu} |");
        }

        if (report.Ingest is { } i)
        {
            Line(text, $"| callback ingest: one `success` callback per job in Processing, {i.Connections} connections, until both subscriber queues hold every event | {i.Jobs} | {i.CompletionsPerSecond:N0} completions/s | {i.Http.Latency.P50Ms:F1} ms | {i.Http.Latency.P99Ms:F1} ms | HTTP alone {i.Http.PerSecond:N0}/s; {i.CompletedRows} Completed; queues {string.Join(" / ", i.Drained.Select(d => d.Messages))} ({string.Join(" / ", i.Drained.Select(d => d.DistinctMessageIds))} distinct); envelope {i.EnvelopeBytes} B; {i.Cpu}; {i.WarmUp} |");
        }

        if (report.EndToEnd is { } e)
        {
            Line(text, $"| end-to-end: HeadShotRequested at {e.OfferedPerSecond:N0}/s, generation time 0, webhook at once, until HeadShotCompleted is consumed | {e.Requested} | {e.PublishedPerSecond:N0} req/s offered | {e.Latency.P50Ms:F1} ms | {e.Latency.P99Ms:F1} ms | {e.Completed} completed, {e.Failed} failed; max {e.Latency.MaxMs:F0} ms; of which settled → consumed (dispatcher, broker, subscriber) p50 {e.AfterSettling.P50Ms:F1} ms, p99 {e.AfterSettling.P99Ms:F1} ms; {e.Cpu} (the service process also runs the simulated ModelsLab); {e.WarmUp} |");
        }

        if (report.Scale is { } s)
        {
            foreach (var p in new[] { s.Small, s.Large })
            {
                Line(text, $"| webhook path with {p.Rows:N0} unsettled jobs in the table, {report.Ingest?.Connections ?? 32} connections | {p.Http.Calls} | {p.Http.PerSecond:N0}/s | {p.Http.Latency.P50Ms:F1} ms | {p.Http.Latency.P99Ms:F1} ms | service RSS {p.MemoryAfter.ResidentMiB:N0} MiB (peak {p.MemoryAfter.PeakResidentMiB:N0}, {p.MemoryBefore.ResidentMiB:N0} before the callbacks) |");
            }
        }

        if (report.Claim is { } c)
        {
            Line(text, $"| reconciler claim of {c.Due} due jobs, median of 30 rounds: only due / plus {c.Settled:N0} settled and {c.NotYetDue:N0} not yet due | | | {c.BaselineMs:F2} ms | {c.LoadedMs:F2} ms | (p50 column: only due; p99 column: loaded) |");
        }

        Line(text, $"");
        Line(text, $"| ratio to its baseline | value | target (issue 9) |");
        Line(text, $"|---|---:|---|");
        foreach (var ratio in report.Ratios())
        {
            Line(text, $"| {ratio.Name} | {ratio.Value:F2} | {ratio.Target ?? ""} |");
        }

        var problems = report.Problems.ToList();
        Line(text, $"");
        text.AppendLine(problems.Count == 0
            ? "Checks: every callback answered 200, every job Completed, each subscriber queue held exactly one event per job; every request published end to end was consumed as HeadShotCompleted."
            : "CHECKS FAILED, the figures above are not to be trusted:\n" + string.Join('\n', problems.Select(p => "- " + p)));
        return text.ToString();
    }

    private static void Line(StringBuilder text, FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));
}
